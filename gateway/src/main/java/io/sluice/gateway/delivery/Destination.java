package io.sluice.gateway.delivery;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One next hop's queue of jobs and its workers. At most {@code maxWorkers} virtual threads drain the queue, each
 * holding at most one connection, which bounds the connections to this destination; a slow or dead destination
 * only ties up its own workers, never another destination's. Workers start when work arrives and end when the
 * queue is empty (no idle threads). Thread-safe; counters are updated from delivery threads.
 */
final class Destination {

    private final String key;
    private final int maxWorkers;
    private final ThreadFactory threads;
    private final BiConsumer<Destination, Job> processor;
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicLong queuedRecipients = new AtomicLong();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deferred = new LongAdder();
    private final LongAdder bounced = new LongAdder();
    private volatile boolean isClosing;

    Destination(String key, int maxWorkers, ThreadFactory threads, BiConsumer<Destination, Job> processor) {
        this.key = key;
        this.maxWorkers = maxWorkers;
        this.threads = threads;
        this.processor = processor;
    }

    String key() {
        return key;
    }

    void enqueue(Job job) {
        queuedRecipients.addAndGet(job.recipientIndexes().length);
        queue.add(job);
        maybeStartWorker();
    }

    private void maybeStartWorker() {
        while (!isClosing && !queue.isEmpty()) {
            int w = workers.get();
            if (w >= maxWorkers) {
                return;
            }
            if (workers.compareAndSet(w, w + 1)) {
                threads.newThread(this::drain).start();
                return;
            }
        }
    }

    private void drain() {
        try {
            Job job;
            while (!isClosing && (job = queue.poll()) != null) {
                queuedRecipients.addAndGet(-job.recipientIndexes().length);
                processor.accept(this, job);
            }
        } finally {
            workers.decrementAndGet();
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
