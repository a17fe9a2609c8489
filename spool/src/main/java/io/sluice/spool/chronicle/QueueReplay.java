package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.RecipientState;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.recovery.RecoveryScan;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.charset.StandardCharsets;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/**
 * Reads the whole queue, oldest file first, decodes each record (see {@link SpoolRecordDescriptor}) and feeds it
 * to the {@link RecoveryScan}, which decides what to trust. Also tells {@link CycleFiles} which files exist.
 * Runs once per open, on the opening thread; allocates per message (envelopes), which is fine at start.
 */
final class QueueReplay {

    private static final RecipientState[] STATES = RecipientState.values();

    private QueueReplay() {
    }

    static void replay(SingleChronicleQueue queue, RecoveryScan scan, CycleFiles files) {
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
                    decode(queue, dc.wire().bytes(), dc.index(), cycle, scan);
                }
            }
        }
    }

    private static void decode(SingleChronicleQueue queue, Bytes<?> b, long queueIndex, int cycle, RecoveryScan scan) {
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
            case TYPE_MESSAGE -> decodeMessage(queue, b, start, length, flags, id, queueIndex, cycle, scan);
            case TYPE_CHUNK -> scan.onId(id);
            case TYPE_EVENT -> decodeEvent(b, start, length, id, scan);
            default -> scan.onSkipped();
        }
    }

    private static void decodeMessage(SingleChronicleQueue queue, Bytes<?> b, long start, long length, short flags,
                                      long id, long queueIndex, int cycle, RecoveryScan scan) {
        long bodyLength = b.readLong(start + BODY_LENGTH_OFFSET);
        long firstChunkIndex = b.readLong(start + FIRST_CHUNK_INDEX_OFFSET);
        int chunkCount = b.readInt(start + CHUNK_COUNT_OFFSET);
        int envelopeLength = b.readInt(start + ENVELOPE_LENGTH_OFFSET);
        boolean chunked = (flags & FLAG_CHUNKED) != 0;
        long expected = ENVELOPE_OFFSET + (long) envelopeLength + (chunked ? 0 : bodyLength);
        if (id <= 0 || envelopeLength < 0 || bodyLength < 0 || expected != length
            || (chunked && (chunkCount <= 0 || firstChunkIndex < 0))) {
            scan.onSkipped();
            return;
        }
        byte[] envelope = new byte[envelopeLength];
        b.readPosition(start + ENVELOPE_OFFSET);
        b.read(envelope);
        BodyForm form = (flags & FLAG_DOT_STUFFED) != 0 ? BodyForm.DOT_STUFFED : BodyForm.RAW;
        int pinned = chunked ? queue.rollCycle().toCycle(firstChunkIndex) : cycle;
        scan.onMessage(new IndexedMessage(id, EnvelopeCodec.decode(envelope), form, bodyLength, queueIndex,
            chunked ? firstChunkIndex : NO_CHUNK_INDEX, chunked ? chunkCount : 0, pinned));
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
