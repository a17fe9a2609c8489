package io.sluice.spool.chronicle;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.SpoolWriter;
import io.sluice.spool.index.IndexedMessage;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One message being received. Session side: body bytes are copied into a pooled off-heap {@link Chunk} (an 8 KB
 * one first, moved once into a chunk-sized one if the body outgrows it); a full
 * chunk is handed to the writer thread only when more bytes arrive, so a message that fits one chunk (the common
 * 5 KB case) is written at commit as a single MESSAGE record holding envelope and body. Larger bodies go out as
 * CHUNK records while they arrive, at most {@link #MAX_CHUNKS_IN_FLIGHT} at a time per message: the session
 * waits for the writer beyond that, so memory per open writer is bounded by chunk size, whatever the message
 * size.
 *
 * <p>Fields below "writer thread only" are touched only by {@link SpoolWriterAgent}'s thread; the op queue
 * hand-off orders them.
 */
final class ChronicleSpoolWriter implements SpoolWriter {

    static final int MAX_CHUNKS_IN_FLIGHT = 2;
    private static final long WAIT_NS = 1_000_000L;

    private enum State { OPEN, COMMITTED, ABORTED }

    private final ChronicleSpool spool;
    private final long id;
    final byte[] envelope;
    final Envelope envelopeValue;
    final BodyForm form;
    private State state = State.OPEN;
    private Chunk staging;
    private long size;
    private int chunksSent;
    private final AtomicInteger chunksInFlight = new AtomicInteger();
    private volatile Thread waiter;
    /** Set by the writer thread when one of this message's chunks could not be written. */
    volatile AppendResult failure;
    CompletableFuture<AppendResult> future;

    // writer thread only
    long firstChunkIndex = SpoolRecordDescriptor.NO_CHUNK_INDEX;
    int firstChunkCycle;
    int chunksWritten;
    boolean isAbortOp;
    AppendResult writeResult;
    IndexedMessage indexed;

    ChronicleSpoolWriter(ChronicleSpool spool, long id, Envelope envelopeValue, byte[] envelope, BodyForm form) {
        this.spool = spool;
        this.id = id;
        this.envelopeValue = envelopeValue;
        this.envelope = envelope;
        this.form = form;
    }

    long idValue() {
        return id;
    }

    @Override
    public MessageId id() {
        return new MessageId(id);
    }

    @Override
    public long size() {
        return size;
    }

    boolean isChunked() {
        return chunksSent > 0;
    }

    Chunk staging() {
        return staging;
    }

    @Override
    public AppendResult append(ByteBuffer src) {
        if (state != State.OPEN) {
            throw new IllegalStateException("message " + id() + " already " + state);
        }
        AppendResult failed = failure;
        if (failed != null) {
            return failed;
        }
        int remaining = src.remaining();
        if (size + remaining > spool.maxMessageBytes()) {
            return fail(AppendResult.TOO_LARGE);
        }
        if (spool.isClosed()) {
            return fail(AppendResult.CLOSED);
        }
        if (!spool.hasSpaceFor(size + remaining)) {
            return fail(AppendResult.NO_SPACE);
        }
        while (src.hasRemaining()) {
            if (staging == null) {
                staging = spool.chunkPool().acquireSmall();
            }
            ByteBuffer b = staging.buffer;
            if (!b.hasRemaining()) {
                if (b.capacity() < spool.chunkPool().chunkBytes()) {
                    grow();
                    continue;
                }
                AppendResult sent = sendStaging(false);
                if (sent != AppendResult.OK) {
                    return fail(sent);
                }
                continue;
            }
            int n = Math.min(b.remaining(), src.remaining());
            b.put(b.position(), src, src.position(), n);
            b.position(b.position() + n);
            src.position(src.position() + n);
        }
        size += remaining;
        return AppendResult.OK;
    }

    /** The body outgrew the small first buffer: move it to a chunk-sized one (one copy, once per message). */
    private void grow() {
        Chunk large = spool.chunkPool().acquire();
        staging.buffer.flip();
        large.buffer.put(staging.buffer);
        spool.chunkPool().release(staging);
        staging = large;
    }

    private AppendResult fail(AppendResult r) {
        failure = r;
        return r;
    }

    /** Hands the staging chunk to the writer thread, first waiting while too many of ours are unwritten. */
    private AppendResult sendStaging(boolean isLast) {
        while (chunksInFlight.get() >= MAX_CHUNKS_IN_FLIGHT) {
            waiter = Thread.currentThread();
            if (chunksInFlight.get() >= MAX_CHUNKS_IN_FLIGHT) {
                LockSupport.parkNanos(this, WAIT_NS);
            }
            if (spool.isStopped()) {
                return AppendResult.CLOSED;
            }
        }
        waiter = null;
        Chunk c = staging;
        staging = null;
        c.owner = this;
        c.number = chunksSent++;
        c.isLast = isLast;
        c.buffer.flip();
        chunksInFlight.incrementAndGet();
        if (!spool.agent().submit(c)) {
            chunksInFlight.decrementAndGet();
            spool.chunkPool().release(c);
            return AppendResult.CLOSED;
        }
        AppendResult failed = failure;
        return failed != null ? failed : AppendResult.OK;
    }

    /** Writer thread: one of our chunks is written (or skipped); wake the session if it waits for room. */
    void onChunkDone() {
        chunksInFlight.decrementAndGet();
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    @Override
    public CompletableFuture<AppendResult> commit() {
        if (state != State.OPEN) {
            throw new IllegalStateException("message " + id() + " already " + state);
        }
        state = State.COMMITTED;
        future = new CompletableFuture<>();
        AppendResult failed = failure;
        if (failed == null && spool.isClosed()) {
            failed = AppendResult.CLOSED;
        }
        if (failed == null && isChunked()) {
            // Lazy flushing leaves at least one byte staged after every sent chunk, so the last chunk is here.
            failed = sendStaging(true);
            failed = failed == AppendResult.OK ? null : failed;
        }
        if (failed != null) {
            discard();
            future.complete(failed);
            return future;
        }
        if (staging != null) {
            staging.buffer.flip();
        }
        if (!spool.agent().submit(this)) {
            releaseStaging();
            future.complete(AppendResult.CLOSED);
        }
        return future;
    }

    @Override
    public void abort() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        if (failure == null) {
            failure = AppendResult.CLOSED; // the writer skips chunks of ours still queued
        }
        discard();
    }

    /** Releases what the session still holds and, for a chunked message, tells the writer it is over. */
    private void discard() {
        if (staging != null) {
            spool.chunkPool().release(staging);
            staging = null;
        }
        if (isChunked()) {
            isAbortOp = true;
            spool.agent().submit(this);
        }
    }

    /** Writer thread: the inline body has been written; give its buffer back. */
    void releaseStaging() {
        if (staging != null) {
            spool.chunkPool().release(staging);
            staging = null;
        }
    }
}
