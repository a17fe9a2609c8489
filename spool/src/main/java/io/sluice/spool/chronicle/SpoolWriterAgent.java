package io.sluice.spool.chronicle;

import io.sluice.spool.AppendResult;
import io.sluice.spool.CommitListener;
import io.sluice.spool.Durability;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.index.MessageIndex;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The spool's one writer: a platform thread that owns the only Chronicle appender (see the Chronicle notes:
 * per-thread appenders leak under virtual threads and the appender lock starves them). Sessions and delivery
 * threads hand it {@link Chunk}s, committing {@link ChronicleSpoolWriter}s and {@link EventOp}s through an MPSC
 * queue and wait on a completion; no other thread touches the appender. {@link OpWriter} turns each op into a
 * record; this class owns the loop, the batching and the forces.
 *
 * <p>Group commit, one duty cycle: drain up to {@link #BATCH_OPS} ops and append them all; then, for
 * {@link Durability#FSYNC}, force every queue file written in this batch once; only then publish the batch's
 * messages to the index (and the {@link CommitListener}) and complete their futures. Everything committed while
 * the previous force ran therefore shares the next one, and so does whatever arrives within the commit window
 * (at least that long between two forces; {@link io.sluice.spool.SpoolOptions#commitWindow()}). Events are never forced on their own: the next group
 * commit's force covers them, or an idle-time force at most {@link #EVENT_SYNC_NS} later. With {@link Durability#OS}
 * nothing is forced while running (the page cache is the promise), only once at close.
 *
 * <p>Failures of a write or a force (disk full, I/O error; with memory-mapped files even a fault in an unsafe
 * access) fail the affected commits with {@link AppendResult#IO_ERROR} or {@link AppendResult#NO_SPACE}, never
 * the thread. Known compromise: a message whose record was written but whose force failed is reported failed
 * (451) yet may reappear after a restart; delivery is at-least-once anyway.
 */
final class SpoolWriterAgent implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriterAgent.class);
    static final int BATCH_OPS = 1024;
    static final long IDLE_PARK_NS = 10_000_000L;
    static final long EVENT_SYNC_NS = 1_000_000_000L;
    static final long RECLAIM_NS = 1_000_000_000L;

    private final ChronicleSpool spool;
    private final SingleChronicleQueue queue;
    private final MessageIndex index;
    private final SpaceMonitor space;
    private final Durability durability;
    private final long commitWindowNs;
    private final CycleFiles files;
    /**
     * MPSC hand-off. Agrona's ManyToOneConcurrentArrayQueue needs {@code --add-exports
     * java.base/jdk.internal.misc} on JDK 21+, which the launcher does not pass; the JDK's lock-free queue costs
     * one small node per op (per commit, per 64 KB chunk, per event), never per append call. Its length is bounded
     * without a capacity: each writer has at most {@link ChronicleSpoolWriter#MAX_CHUNKS_IN_FLIGHT} chunks and
     * one commit queued.
     */
    private final ConcurrentLinkedQueue<Object> ops = new ConcurrentLinkedQueue<>();
    private final List<ChronicleSpoolWriter> batch = new ArrayList<>();
    private final Thread thread;
    private final Prefaulter prefaulter = new Prefaulter();
    private final SlowForces slowForces = new SlowForces();
    private volatile boolean sleeping;
    private volatile boolean stopRequested;
    private volatile boolean stopped;
    private final Relocation relocation;
    private final long reclaimGraceNs;
    private OpWriter writer;
    private long lastSyncNs = System.nanoTime();
    private long lastReclaimNs = System.nanoTime();

    volatile long messagesCommitted;
    volatile long bytesCommitted;
    volatile long syncs;

    SpoolWriterAgent(ChronicleSpool spool, SingleChronicleQueue queue, MessageIndex index, SpaceMonitor space,
                     Durability durability, java.time.Duration commitWindow, CycleFiles files,
                     long reclaimGraceNs) {
        this.commitWindowNs = durability == Durability.FSYNC ? commitWindow.toNanos() : 0;
        this.reclaimGraceNs = reclaimGraceNs;
        this.spool = spool;
        this.queue = queue;
        this.index = index;
        this.space = space;
        this.durability = durability;
        this.files = files;
        this.relocation = new Relocation(queue, index, spool.chunkPool(), this, spool.readers());
        this.thread = new Thread(this, "sluice-spool-writer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
        prefaulter.start();
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    long prefaultedBytes() {
        return prefaulter.bytesFilled();
    }

    boolean isStopped() {
        return stopped;
    }

    /** Any thread: queues an op and wakes the writer; false once the writer has stopped (the op was not taken). */
    boolean submit(Object op) {
        if (!enqueue(op)) {
            return false;
        }
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /**
     * Any thread: queues an op nobody waits for (a delivery outcome) without waking the writer. It goes out with
     * the next commit's batch, or after the writer's idle park ({@link #IDLE_PARK_NS}) at the latest. Waking the
     * writer for each outcome cost a futex call and a context switch per delivered message (measured at 3,200
     * msgs/s), for a record whose force waits for the next commit anyway.
     */
    void submitLazily(Object op) {
        enqueue(op);
    }

    private boolean enqueue(Object op) {
        ops.offer(op);
        // If the writer is gone and never saw it, it was not taken; if it did see it, it failed it as CLOSED.
        return !(stopped && ops.remove(op));
    }

    /**
     * Runs a reclamation pass after everything queued before it (the writer also runs one every second); the
     * future completes when the pass is over. For tests and operators.
     */
    CompletableFuture<Void> requestReclaim() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!submit(done)) {
            done.complete(null);
        }
        return done;
    }

    /** Stops after everything queued so far is written, forced and completed; waits for that. */
    void stop() {
        stopRequested = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // shutdown goes on; restore the flag for the caller below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        ExcerptAppender appender = null;
        try {
            appender = queue.createAppender();
            writer = new OpWriter(new RecordWriter(appender, queue.blockSize() / 4), queue.rollCycle(), space, files,
                spool.chunkPool());
            while (true) {
                int n = drain(BATCH_OPS);
                if (n > 0) {
                    prefaulter.follow(files.lastWrittenFile(), writer.records().lastBodyPosition());
                }
                if (!batch.isEmpty()) {
                    if (commitWindowNs > 0) {
                        gatherUntilForceDue();
                    }
                    finishBatch();
                }
                long nowNs = System.nanoTime();
                space.refreshIfDue(nowNs);
                housekeeping(nowNs);
                if (n == 0) {
                    if (stopRequested && ops.isEmpty()) {
                        break;
                    }
                    sleeping = true;
                    if (ops.isEmpty()) {
                        LockSupport.parkNanos(IDLE_PARK_NS);
                    }
                    sleeping = false;
                }
            }
        } catch (RuntimeException | Error e) {
            // A bug, not an expected condition (those are handled per op): the spool fails closed, loudly, once.
            LOG.error("spool writer thread died; the spool refuses new mail until restarted", e);
        } finally {
            stopped = true;
            for (Object op = ops.poll(); op != null; op = ops.poll()) {
                failClosed(op);
            }
            syncQuietly();
            prefaulter.stop();
            files.closeChannels();
            if (appender != null) {
                appender.close();
            }
        }
    }

    /**
     * The commit window: until {@code commitWindowNs} after the last force, keeps appending what arrives, so it
     * shares the coming force. Not marked sleeping meanwhile: submitters need not wake it, the timed park does.
     */
    private void gatherUntilForceDue() {
        long dueNs = lastSyncNs + commitWindowNs;
        long waitNs;
        while ((waitNs = dueNs - System.nanoTime()) > 0 && batch.size() < BATCH_OPS && !stopRequested) {
            if (drain(BATCH_OPS) == 0) {
                LockSupport.parkNanos(waitNs);
            }
        }
    }

    private int drain(int limit) {
        int n = 0;
        for (Object op; n < limit && (op = ops.poll()) != null; n++) {
            execute(op);
        }
        return n;
    }

    private void housekeeping(long nowNs) {
        // OS durability promises survival of a process crash only, which the page cache gives events as well as
        // messages: forcing them would only stall the writer (a force under other I/O measured up to 75 ms here,
        // and every commit queued behind it waited as long).
        if (durability == Durability.FSYNC && writer.hasUnsyncedWrites() && nowNs - lastSyncNs >= EVENT_SYNC_NS) {
            syncQuietly();
        }
        if (nowNs - lastReclaimNs >= RECLAIM_NS) {
            lastReclaimNs = nowNs;
            reclaim();
        }
        report(slowForces.due(nowNs)); // a slow force followed by silence is still told
    }

    private void execute(Object op) {
        try {
            if (op instanceof Chunk c) {
                writer.writeChunk(c);
            } else if (op instanceof ChronicleSpoolWriter w) {
                if (w.isAbortOp) {
                    writer.forget(w);
                } else {
                    writer.writeMessage(w);
                    batch.add(w);
                }
            } else if (op instanceof EventOp e) {
                writer.writeEvent(e);
            } else if (op instanceof CompletableFuture<?> reclaimDone) {
                if (!batch.isEmpty()) {
                    finishBatch(); // publish what came before, so its messages count in this pass
                }
                reclaim();
                reclaimDone.complete(null);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("spool writer: unexpected failure handling {}", op.getClass().getSimpleName(), e);
        }
    }

    private void finishBatch() {
        boolean anyOk = false;
        for (ChronicleSpoolWriter w : batch) {
            anyOk |= w.writeResult == AppendResult.OK;
        }
        if (anyOk && durability == Durability.FSYNC && !sync()) {
            for (ChronicleSpoolWriter w : batch) {
                if (w.writeResult == AppendResult.OK) {
                    w.writeResult = AppendResult.IO_ERROR;
                }
            }
        }
        // Publish, tell delivery, then complete: once commit() returns OK the listener has the message (the
        // listener only enqueues, so this costs the 250 next to nothing).
        for (ChronicleSpoolWriter w : batch) {
            if (w.writeResult == AppendResult.OK) {
                CommitListener listener = index.add(w.indexed);
                messagesCommitted = messagesCommitted + 1;
                bytesCommitted = bytesCommitted + w.size();
                if (listener != null) {
                    notify(listener, w.indexed);
                }
            }
            w.future.complete(w.writeResult);
        }
        batch.clear();
    }

    private void notify(CommitListener listener, IndexedMessage m) {
        try {
            listener.onCommitted(index.snapshot(m.id()));
        } catch (RuntimeException e) {
            LOG.error("commit listener failed for message {}", Long.toHexString(m.id()), e);
        }
    }

    /** Forces every file written since the last force. */
    private boolean sync() {
        try {
            long startNs = System.nanoTime();
            files.forceDirty();
            syncs = syncs + 1;
            writer.markSynced();
            lastSyncNs = System.nanoTime();
            report(slowForces.record(lastSyncNs - startNs, lastSyncNs));
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            writer.failed(e);
            return false;
        }
    }

    private static void report(SlowForces.Report r) {
        if (r != null) {
            LOG.warn("spool: {} force(s) to disk took {} ms or more (longest {} ms); the commits waiting on them, and"
                + " their 250 replies, waited as long", r.forces(), r.thresholdNs() / 1_000_000,
                r.longestNs() / 1_000_000);
        }
    }

    /** Relocation: forces what it wrote before the index points at it; false if the force failed. */
    boolean forceNow() {
        return !writer.hasUnsyncedWrites() || sync();
    }

    private void syncQuietly() {
        if (writer != null && writer.hasUnsyncedWrites()) {
            sync();
        }
    }

    private void reclaim() {
        index.dropFinished(System.nanoTime(), reclaimGraceNs);
        // Never the newest file: the appender writes there, and deleting it loses appends silently.
        int newest = Math.max(files.newestCycle(), queue.lastCycle());
        int limit = writer.oldestOpenCycle(newest);
        files.reclaim(limit, index, cycle -> relocation.tryEmpty(cycle, newest, writer), reclaimGraceNs);
    }

    private void failClosed(Object op) {
        if (op instanceof Chunk c) {
            spool.chunkPool().release(c);
            c.owner.onChunkDone();
        } else if (op instanceof CompletableFuture<?> reclaimDone) {
            reclaimDone.complete(null);
        } else if (op instanceof ChronicleSpoolWriter w && !w.isAbortOp) {
            w.releaseStaging();
            w.future.complete(AppendResult.CLOSED);
        }
    }
}
