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
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
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

    private final SingleChronicleQueue queue;
    private final MessageIndex index;
    private final ChunkPool pool;
    private final SpoolWriterAgent agent;

    Relocation(SingleChronicleQueue queue, MessageIndex index, ChunkPool pool, SpoolWriterAgent agent) {
        this.queue = queue;
        this.index = index;
        this.pool = pool;
        this.agent = agent;
    }

    /**
     * Relocates every unfinished message of {@code cycle} when the file is old and mostly finished. Returns true
     * when the file then holds nothing unfinished (the caller deletes it).
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
        try {
            for (IndexedMessage m : live) {
                copies.add(copy(m, out));
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
        try (BodySegments segments = new BodySegments(queue, m)) {
            if (m.chunkCount() == 0) {
                segments.next();
                read(segments, buffer.buffer);
                record = writer.writeMessage(m.id(), flags, m.bodyBytes(), NO_CHUNK_INDEX, 0, envelope, buffer.buffer);
                out.afterWrite(messageRecordLength(envelope.length, m.bodyBytes()));
            } else {
                while (segments.next()) {
                    read(segments, buffer.buffer);
                    long idx = writer.writeChunk(m.id(), chunks, chunks == m.chunkCount() - 1, buffer.buffer);
                    out.afterWrite(chunkRecordLength((int) segments.length));
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
        return new IndexedMessage(m.id(), m.envelope(), m.form(), m.bodyBytes(), record, firstChunk,
            chunks > 0 ? chunks : 0, cycle);
    }

    /** Reads one segment (at most one chunk) from its file into {@code dst}, ready to write. */
    private static void read(BodySegments s, ByteBuffer dst) throws IOException {
        if (s.length > dst.capacity()) {
            throw new IOException("segment of " + s.length + " bytes exceeds the chunk size");
        }
        dst.clear().limit((int) s.length);
        try (FileChannel ch = FileChannel.open(s.file.toPath(), StandardOpenOption.READ)) {
            long pos = s.position;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) {
                    throw new IOException("spool file " + s.file + " ends inside a body");
                }
                pos += n;
            }
        }
        dst.flip();
    }
}
