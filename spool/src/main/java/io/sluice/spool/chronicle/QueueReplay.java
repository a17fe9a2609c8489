package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.RecipientState;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.recovery.RecoveryScan;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.nio.charset.StandardCharsets;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/**
 * Reads the whole queue, oldest file first, decodes each record (see {@link SpoolRecordDescriptor}) and feeds it
 * to the {@link RecoveryScan}, which decides what to trust. Also tells {@link CycleFiles} which files exist, and
 * notes where each body's bytes are (the replay tailer's positions are file offsets) so reads need no tailer.
 * Runs once per open, on the opening thread; allocates per message (envelopes), which is fine at start.
 */
final class QueueReplay {

    private static final RecipientState[] STATES = RecipientState.values();

    private QueueReplay() {
    }

    static void replay(SingleChronicleQueue queue, RecoveryScan scan, CycleFiles files) {
        // Where each unsealed chunked message's chunks are (segment layout of IndexedMessage), until its MESSAGE
        // record takes them; chunks of messages aborted or cut by a crash stay here until the end of the replay.
        Long2ObjectHashMap<LongArrayList> chunks = new Long2ObjectHashMap<>();
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.toStart();
            int lastCycle = Integer.MIN_VALUE;
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    if (!dc.isData()) {
                        continue;
                    }
                    int cycle = tailer.cycle();
                    if (cycle != lastCycle) {
                        lastCycle = cycle;
                        files.put(cycle, tailer.currentFile());
                    }
                    decode(queue, dc.wire().bytes(), cycle, scan, chunks);
                }
            }
        }
    }

    private static void decode(SingleChronicleQueue queue, Bytes<?> b, int cycle, RecoveryScan scan,
                               Long2ObjectHashMap<LongArrayList> chunks) {
        long start = b.readPosition();
        long length = b.readRemaining();
        if (length < HEADER_LENGTH || b.readByte(start + VERSION_OFFSET) != VERSION) {
            scan.onSkipped();
            return;
        }
        byte type = b.readByte(start + TYPE_OFFSET);
        short flags = b.readShort(start + FLAGS_OFFSET);
        long id = b.readLong(start + MESSAGE_ID_OFFSET);
        switch (type) {
            case TYPE_MESSAGE -> decodeMessage(queue, b, start, length, flags, id, cycle, scan,
                chunks.remove(id));
            case TYPE_CHUNK -> decodeChunk(b, start, length, id, cycle, scan, chunks);
            case TYPE_EVENT -> decodeEvent(b, start, length, id, scan);
            default -> scan.onSkipped();
        }
    }

    private static void decodeMessage(SingleChronicleQueue queue, Bytes<?> b, long start, long length, short flags,
                                      long id, int cycle, RecoveryScan scan,
                                      LongArrayList chunkSegments) {
        long bodyLength = b.readLong(start + BODY_LENGTH_OFFSET);
        long firstChunkIndex = b.readLong(start + FIRST_CHUNK_INDEX_OFFSET);
        int chunkCount = b.readInt(start + CHUNK_COUNT_OFFSET);
        int envelopeLength = b.readInt(start + ENVELOPE_LENGTH_OFFSET);
        boolean chunked = (flags & FLAG_CHUNKED) != 0;
        long expected = ENVELOPE_OFFSET + (long) envelopeLength + (chunked ? 0 : bodyLength);
        if (id <= 0 || envelopeLength < 0 || bodyLength < 0 || expected != length
            || (chunked && (chunkCount <= 0 || firstChunkIndex < 0
                || chunkSegments == null || chunkSegments.size() != 2 * chunkCount))) {
            scan.onSkipped(); // a chunked message whose chunks were not all read could never be delivered
            return;
        }
        byte[] envelope = new byte[envelopeLength];
        b.readPosition(start + ENVELOPE_OFFSET);
        b.read(envelope);
        BodyForm form = (flags & FLAG_DOT_STUFFED) != 0 ? BodyForm.DOT_STUFFED : BodyForm.RAW;
        int pinned = chunked ? queue.rollCycle().toCycle(firstChunkIndex) : cycle;
        long[] segments = chunked ? chunkSegments.toLongArray()
            : bodyLength == 0 ? OpWriter.NO_SEGMENTS
            : new long[] {start + ENVELOPE_OFFSET + envelopeLength, IndexedMessage.segment(cycle, (int) bodyLength)};
        scan.onMessage(new IndexedMessage(id, EnvelopeCodec.decode(envelope), form, bodyLength, segments,
            chunked ? chunkCount : 0, pinned));
    }

    /** Notes where a chunk's data is; chunk 0 starts the list (a relocated copy re-sends every chunk). */
    private static void decodeChunk(Bytes<?> b, long start, long length, long id, int cycle, RecoveryScan scan,
                                    Long2ObjectHashMap<LongArrayList> chunks) {
        scan.onId(id);
        if (length < CHUNK_DATA_OFFSET) {
            return;
        }
        int number = b.readInt(start + CHUNK_NUMBER_OFFSET);
        int dataBytes = b.readInt(start + CHUNK_LENGTH_OFFSET);
        LongArrayList list = chunks.get(id);
        if (number == 0 || list == null) {
            list = new LongArrayList();
            chunks.put(id, list);
        }
        if (number != list.size() / 2 || CHUNK_DATA_OFFSET + (long) dataBytes != length) {
            chunks.remove(id); // out of order or damaged: the message cannot be sealed from these chunks
            return;
        }
        list.addLong(start + CHUNK_DATA_OFFSET);
        list.addLong(IndexedMessage.segment(cycle, dataBytes));
    }

    private static void decodeEvent(Bytes<?> b, long start, long length, long id, RecoveryScan scan) {
        int replyLength = b.readShort(start + REPLY_LENGTH_OFFSET) & 0xFFFF;
        int state = b.readByte(start + STATE_OFFSET);
        if (REPLY_OFFSET + replyLength != length || state < 0 || state >= STATES.length) {
            scan.onSkipped();
            return;
        }
        byte[] reply = new byte[replyLength];
        b.readPosition(start + REPLY_OFFSET);
        b.read(reply);
        scan.onEvent(id, b.readInt(start + RECIPIENT_INDEX_OFFSET), STATES[state], b.readInt(start + ATTEMPTS_OFFSET),
            b.readLong(start + NEXT_ATTEMPT_OFFSET), new String(reply, StandardCharsets.UTF_8));
    }
}
