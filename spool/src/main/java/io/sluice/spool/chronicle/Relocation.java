package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.index.MessageIndex;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/**
 * Moves the few unfinished messages out of an old queue file so the file can be deleted: without this, one
 * message deferred for days (every real queue has some) would pin its file and every newer one, and disk use
 * would track all traffic over the longest retry time instead of the live queue.
 *
 * <p>A relocated message is re-appended to the active file under the same id: its body (as chunks, or inline),
 * a MESSAGE record with {@link SpoolRecordDescriptor#FLAG_RELOCATED}, and one EVENT per recipient whose state is
 * not the initial one. All of it is forced to disk before the index points at the copy and before the old file
 * is deleted, so a crash at any moment leaves either the original (with its events) or a durable copy, or both;
 * replay treats a second MESSAGE record for a known id as a relocation and carries the states over. Outcomes
 * recorded meanwhile are queued behind the relocation and so land after it. Writer thread only.
 */
final class Relocation {

    /** Only files this many roll cycles older than the newest are compacted: young files usually finish alone. */
    static final int MIN_AGE_CYCLES = 2;
    /** A file with more live messages than this is left to finish (relocating it would stall the writer). */
    static final int MAX_MESSAGES_PER_FILE = 1000;
    /**
     * Body bytes moved per pass (at least one message): relocation runs on the writer thread, so every commit
     * waits while it copies and forces. About 4 ms of copying at the measured 1 GB/s, plus one force; a file with
     * more is emptied over several passes, one a second.
     */
    static final long MAX_BYTES_PER_PASS = 4L << 20;

    private final SingleChronicleQueue queue;
    private final MessageIndex index;
    private final ChunkPool pool;
    private final SpoolWriterAgent agent;
    private final ReadChannels readers;

    Relocation(SingleChronicleQueue queue, MessageIndex index, ChunkPool pool, SpoolWriterAgent agent,
               ReadChannels readers) {
        this.queue = queue;
        this.readers = readers;
        this.index = index;
        this.pool = pool;
        this.agent = agent;
    }

    /**
     * Relocates the unfinished messages of {@code cycle} (up to {@link #MAX_BYTES_PER_PASS} of them per call)
     * when the file is old and mostly finished. Returns true when the file then holds nothing unfinished (the
     * caller deletes it).
     */
    boolean tryEmpty(int cycle, int newestCycle, OpWriter out) {
        if (newestCycle - cycle < MIN_AGE_CYCLES) {
            return false;
        }
        List<IndexedMessage> live = index.unfinishedIn(cycle, MAX_MESSAGES_PER_FILE);
        if (live.size() > MAX_MESSAGES_PER_FILE) {
            return false;
        }
        long bytes = 0;
        for (IndexedMessage m : live) {
            bytes += m.bodyBytes() + 4096;
        }
        if (!out.hasSpaceFor(bytes)) {
            return false;
        }
        List<IndexedMessage> copies = new ArrayList<>(live.size());
        long moved = 0;
        try {
            for (IndexedMessage m : live) {
                if (!copies.isEmpty() && moved + m.bodyBytes() > MAX_BYTES_PER_PASS) {
                    break; // the rest goes in the next pass
                }
                copies.add(copy(m, out));
                moved += m.bodyBytes();
            }
        } catch (IOException | RuntimeException e) {
            out.failed(e);
            return false;
        }
        if (!agent.forceNow()) {
            return false;
        }
        for (IndexedMessage c : copies) {
            index.relocate(c);
        }
        return index.isCycleFinished(cycle);
    }

    private IndexedMessage copy(IndexedMessage m, OpWriter out) throws IOException {
        RecordWriter writer = out.records();
        byte[] envelope = EnvelopeCodec.encode(m.envelope());
        short flags = (short) (FLAG_RELOCATED | (m.form() == BodyForm.DOT_STUFFED ? FLAG_DOT_STUFFED : 0));
        Chunk buffer = pool.acquire();
        long firstChunk = NO_CHUNK_INDEX;
        long record;
        int chunks = 0;
        long[] segments;
        try {
            if (m.chunkCount() == 0) {
                if (m.segmentCount() > 0) {
                    read(m, 0, buffer.buffer);
                } else {
                    buffer.buffer.clear().flip();
                }
                int inline = buffer.buffer.remaining();
                record = writer.writeMessage(m.id(), flags, m.bodyBytes(), NO_CHUNK_INDEX, 0, envelope, buffer.buffer);
                out.afterWrite(messageRecordLength(envelope.length, m.bodyBytes()));
                segments = inline == 0 ? OpWriter.NO_SEGMENTS
                    : new long[] {writer.lastBodyPosition(), IndexedMessage.segment(writer.lastCycle(), inline)};
            } else {
                segments = new long[2 * m.segmentCount()];
                for (int i = 0; i < m.segmentCount(); i++) {
                    read(m, i, buffer.buffer);
                    int length = buffer.buffer.remaining();
                    long idx = writer.writeChunk(m.id(), chunks, i == m.segmentCount() - 1, buffer.buffer);
                    out.afterWrite(chunkRecordLength(length));
                    segments[2 * i] = writer.lastBodyPosition();
                    segments[2 * i + 1] = IndexedMessage.segment(writer.lastCycle(), length);
                    firstChunk = chunks == 0 ? idx : firstChunk;
                    chunks++;
                }
                record = writer.writeMessage(m.id(), (short) (flags | FLAG_CHUNKED), m.bodyBytes(), firstChunk, chunks,
                    envelope, null);
                out.afterWrite(messageRecordLength(envelope.length, 0));
            }
        } finally {
            pool.release(buffer);
        }
        SpoolEntry states = index.snapshot(m.id());
        if (states != null) {
            for (RecipientStatus r : states.recipients()) {
                if (r.state() != RecipientState.QUEUED || r.attempts() != 0 || !r.lastReply().isEmpty()) {
                    writer.writeEvent(new EventOp(m.id(), r.index(), r.state(), r.attempts(), r.nextAttemptEpochMs(),
                        r.lastReply().getBytes(StandardCharsets.UTF_8)));
                    out.afterWrite(REPLY_OFFSET + r.lastReply().length());
                }
            }
        }
        int cycle = queue.rollCycle().toCycle(chunks > 0 ? firstChunk : record);
        return new IndexedMessage(m.id(), m.envelope(), m.form(), m.bodyBytes(), segments, chunks, cycle);
    }

    /** Reads segment {@code i} (at most one chunk) of {@code m} from its file into {@code dst}, ready to write. */
    private void read(IndexedMessage m, int i, ByteBuffer dst) throws IOException {
        int length = m.segmentLength(i);
        if (length > dst.capacity()) {
            throw new IOException("segment of " + length + " bytes exceeds the chunk size");
        }
        dst.clear().limit(length);
        ReadChannels.Lease lease = readers.acquire(m.segmentCycle(i));
        try {
            long pos = m.segmentPosition(i);
            while (dst.hasRemaining()) {
                int n = lease.channel().read(dst, pos);
                if (n < 0) {
                    throw new IOException("spool file ends inside the body of " + Long.toHexString(m.id()));
                }
                pos += n;
            }
        } finally {
            lease.release();
        }
        dst.flip();
    }
}
