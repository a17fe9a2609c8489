package io.sluice.spool.chronicle;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.index.IndexedMessage;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.collections.ObjectHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/**
 * Turns the ops sessions hand over into records: checks the free-space reserve and the excerpt limit first,
 * writes through {@link RecordWriter}, and records the outcome on the op (a failure is a result value, never a
 * thrown exception). Keeps track of chunked messages still being received, whose first chunk's file must not be
 * reclaimed. Writer thread only.
 */
final class OpWriter {

    private static final Logger LOG = LoggerFactory.getLogger(OpWriter.class);

    private final RecordWriter records;
    private final RollCycle rollCycle;
    private final SpaceMonitor space;
    private final CycleFiles files;
    private final ChunkPool pool;
    private final ObjectHashSet<ChronicleSpoolWriter> openChunked = new ObjectHashSet<>();
    private boolean hasUnsyncedWrites;
    private int lastFailureLoggedCycle = Integer.MIN_VALUE;

    OpWriter(RecordWriter records, RollCycle rollCycle, SpaceMonitor space, CycleFiles files, ChunkPool pool) {
        this.records = records;
        this.rollCycle = rollCycle;
        this.space = space;
        this.files = files;
        this.pool = pool;
    }

    RecordWriter records() {
        return records;
    }

    /** Appends one chunk of a large body; on failure the owner's commit will fail. Returns the chunk to the pool. */
    void writeChunk(Chunk c) {
        ChronicleSpoolWriter owner = c.owner;
        try {
            if (owner.failure != null) {
                return;
            }
            int length = chunkRecordLength(c.buffer.remaining());
            if (!space.hasSpaceFor(length)) {
                owner.failure = AppendResult.NO_SPACE;
                return;
            }
            long idx = records.writeChunk(owner.idValue(), c.number, c.isLast, c.buffer);
            afterWrite(length);
            if (owner.firstChunkIndex == NO_CHUNK_INDEX) {
                owner.firstChunkIndex = idx;
                owner.firstChunkCycle = rollCycle.toCycle(idx);
                openChunked.add(owner);
            }
            owner.chunksWritten++;
        } catch (RuntimeException | Error e) {
            owner.failure = failed(e);
        } finally {
            pool.release(c);
            owner.onChunkDone();
        }
    }

    /** Appends a message's MESSAGE record (sealing its chunks, or holding its inline body); sets its result. */
    void writeMessage(ChronicleSpoolWriter w) {
        openChunked.remove(w);
        try {
            w.writeResult = write(w);
        } finally {
            w.releaseStaging();
        }
    }

    private AppendResult write(ChronicleSpoolWriter w) {
        if (w.failure != null) {
            return w.failure;
        }
        boolean chunked = w.isChunked();
        Chunk staging = w.staging();
        long inline = chunked || staging == null ? 0 : staging.buffer.remaining();
        int length = messageRecordLength(w.envelope.length, inline);
        if (!records.fits(length)) {
            return AppendResult.TOO_LARGE; // only a huge envelope gets here: bodies are chunked
        }
        if (!space.hasSpaceFor(length)) {
            return AppendResult.NO_SPACE;
        }
        short flags = (short) ((w.form == BodyForm.DOT_STUFFED ? FLAG_DOT_STUFFED : 0) | (chunked ? FLAG_CHUNKED : 0));
        long firstChunk = chunked ? w.firstChunkIndex : NO_CHUNK_INDEX;
        int chunks = chunked ? w.chunksWritten : 0;
        try {
            long idx = records.writeMessage(w.idValue(), flags, w.size(), firstChunk, chunks, w.envelope,
                chunked || staging == null ? null : staging.buffer);
            afterWrite(length);
            int cycle = chunked ? w.firstChunkCycle : rollCycle.toCycle(idx);
            w.indexed = new IndexedMessage(w.idValue(), w.envelopeValue, w.form, w.size(), idx, firstChunk, chunks,
                cycle);
            return AppendResult.OK;
        } catch (RuntimeException | Error e) {
            return failed(e);
        }
    }

    /** Appends a recipient's new state. Written even below the reserve: finishing messages is what frees space. */
    void writeEvent(EventOp e) {
        try {
            records.writeEvent(e);
            afterWrite(REPLY_OFFSET + e.replyUtf8().length);
        } catch (RuntimeException | Error ex) {
            failed(ex);
        }
    }

    /** A chunked message was aborted or failed: its first chunk no longer holds back reclamation. */
    void forget(ChronicleSpoolWriter w) {
        openChunked.remove(w);
    }

    /** The oldest file a message still being received has chunks in, or {@code limit} if older than all. */
    int oldestOpenCycle(int limit) {
        int oldest = limit;
        for (ChronicleSpoolWriter w : openChunked) {
            oldest = Math.min(oldest, w.firstChunkCycle);
        }
        return oldest;
    }

    boolean hasSpaceFor(long bytes) {
        return space.hasSpaceFor(bytes);
    }

    void afterWrite(long length) {
        space.consume(length);
        hasUnsyncedWrites = true;
        files.noteWritten(records.appender());
    }

    boolean hasUnsyncedWrites() {
        return hasUnsyncedWrites;
    }

    void markSynced() {
        hasUnsyncedWrites = false;
    }

    /**
     * Maps a failed write or force to a result: NO_SPACE when the disk is (now) below the reserve, else IO_ERROR.
     * Logged once per queue file, not once per message: a full disk stays full for a while.
     */
    AppendResult failed(Throwable e) {
        int cycle = records.appender().cycle();
        if (cycle != lastFailureLoggedCycle) {
            lastFailureLoggedCycle = cycle;
            LOG.warn("spool write failed ({}); failing commits until it recovers", e.toString());
        }
        space.refreshIfDue(System.nanoTime() + SpaceMonitor.REFRESH_NS);
        return space.hasSpaceFor(0) ? AppendResult.IO_ERROR : AppendResult.NO_SPACE;
    }
}
