package io.sluice.gateway.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One next hop's queue of jobs and its workers. At most {@code maxWorkers} threads drain the queue, each
 * holding at most one connection, which bounds the connections to this destination; a slow or dead destination
 * only ties up its own workers, never another destination's. Workers start when work arrives and end after
 * {@link #LINGER_MS} with an empty queue: under a steady stream a job wakes a waiting worker instead of paying for
 * a new thread per burst. Thread-safe; counters are updated from delivery threads.
 *
 * <p>A destination nothing has used for a while (no job queued or running, no connection open) is retired and
 * dropped by the agent, so the table stays the size of the current traffic rather than of every domain ever
 * mailed (MX routing at an ISP meets new domains all day). A retired destination takes no more jobs; the caller
 * makes a fresh one, whose counters start at zero.
 */
final class Destination {

    private final String key;
    private final int maxWorkers;
    private final DeliveryThreads threads;
    private final BiConsumer<Destination, List<Job>> processor;
    /** How long an idle worker waits for the next job before it ends. */
    static final long LINGER_MS = 1_000;
    /**
     * Most jobs a worker takes at once. They run in order on one connection, each pipelined behind the previous
     * body; small, so a burst still spreads over the destination's connections.
     */
    static final int MAX_JOBS_PER_TAKE = 8;

    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicLong queuedRecipients = new AtomicLong();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deferred = new LongAdder();
    private final LongAdder bounced = new LongAdder();
    /** Listed in {@link DeliveryThreads}' starved queue (at most once). */
    private final AtomicBoolean isStarved = new AtomicBoolean();
    private volatile boolean isClosing;
    private long lastActiveNs = System.nanoTime(); // guarded by this
    private boolean isRetired; // guarded by this

    Destination(String key, int maxWorkers, DeliveryThreads threads, BiConsumer<Destination, List<Job>> processor) {
        this.key = key;
        this.maxWorkers = maxWorkers;
        this.threads = threads;
        this.processor = processor;
    }

    String key() {
        return key;
    }

    /** Queues a job; false if this destination was retired (then the caller queues it on a fresh one). */
    boolean enqueue(Job job) {
        synchronized (this) {
            if (isRetired) {
                return false;
            }
            lastActiveNs = System.nanoTime();
            queuedRecipients.addAndGet(job.recipientIndexes().length);
            queue.add(job);
        }
        maybeStartWorker();
        return true;
    }

    /**
     * Retires this destination if it has been unused for {@code idleNs}: nothing queued, no worker, no open
     * connection (a cached one counts until the idle reaper closes it).
     */
    synchronized boolean retireIfIdle(long nowNs, long idleNs) {
        if (!isRetired && queue.isEmpty() && workers.get() == 0 && openConnections.get() == 0
                && nowNs - lastActiveNs >= idleNs) {
            isRetired = true;
        }
        return isRetired;
    }

    private synchronized void touch() {
        lastActiveNs = System.nanoTime();
    }

    /** True if the caller should list this destination as starved (it was not listed yet). */
    boolean markStarved() {
        return isStarved.compareAndSet(false, true);
    }

    /** Taken off the starved list: starts a worker if jobs wait and a thread is free. */
    void onUnstarved() {
        isStarved.set(false);
        maybeStartWorker();
    }

    private void maybeStartWorker() {
        while (!isClosing && !queue.isEmpty()) {
            int w = workers.get();
            if (w >= maxWorkers) {
                return;
            }
            if (workers.compareAndSet(w, w + 1)) {
                if (!threads.tryStart(this, this::drain)) {
                    workers.decrementAndGet(); // listed as starved: started when a thread comes free
                    threads.recheckStarved();
                }
                return;
            }
        }
    }

    private void drain() {
        List<Job> taken = new ArrayList<>(MAX_JOBS_PER_TAKE);
        try {
            Job job;
            while (!isClosing && (job = queue.poll(LINGER_MS, TimeUnit.MILLISECONDS)) != null) {
                if (isClosing) {
                    queue.add(job); // stays in the spool; replayed on restart
                    break;
                }
                taken.clear();
                taken.add(job);
                queue.drainTo(taken, MAX_JOBS_PER_TAKE - 1);
                for (Job j : taken) {
                    queuedRecipients.addAndGet(-j.recipientIndexes().length);
                }
                processor.accept(this, taken);
                if (threads.isAnyStarved()) {
                    break; // hand this thread to a destination that has none
                }
            }
        } catch (InterruptedException e) {
            // shutdown
        } finally {
            touch(); // idle from now, not from the last enqueue: a long transaction is not idleness
            workers.decrementAndGet();
            threads.exited();
            maybeStartWorker(); // a job may have arrived after our last poll
        }
    }

    /** Stops starting jobs; running ones finish. Queued jobs stay in the spool and are replayed on restart. */
    void close() {
        isClosing = true;
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        touch();
        openConnections.decrementAndGet();
    }

    void countDelivered() {
        delivered.increment();
    }

    void countDeferred() {
        deferred.increment();
    }

    void countBounced() {
        bounced.increment();
    }

    DestinationStats snapshot() {
        return new DestinationStats(key, queuedRecipients.get(), openConnections.get(), delivered.sum(),
            deferred.sum(), bounced.sum());
    }
}
