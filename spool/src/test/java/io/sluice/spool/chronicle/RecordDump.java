package io.sluice.spool.chronicle;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/** Test diagnostics: every record of one message in a spool directory, in queue order, as one line each. */
public final class RecordDump {

    private RecordDump() {
    }

    public static String describe(Path dir, long id) {
        StringBuilder sb = new StringBuilder();
        try (QueueDirectory q = QueueDirectory.openReadOnly(dir); ExcerptTailer tailer = q.queue().createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (!dc.isData()) {
                        continue;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long start = b.readPosition();
                    long length = b.readRemaining();
                    if (length < HEADER_LENGTH || b.readLong(start + MESSAGE_ID_OFFSET) != id) {
                        continue;
                    }
                    byte type = b.readByte(start + TYPE_OFFSET);
                    short flags = b.readShort(start + FLAGS_OFFSET);
                    sb.append("\n  index ").append(Long.toHexString(dc.index())).append(" length ").append(length)
                        .append(" type ").append(type).append(" flags ").append(flags);
                    if (type == TYPE_MESSAGE) {
                        sb.append(" body ").append(b.readLong(start + BODY_LENGTH_OFFSET))
                            .append(" chunks ").append(b.readInt(start + CHUNK_COUNT_OFFSET))
                            .append(" first ").append(Long.toHexString(b.readLong(start + FIRST_CHUNK_INDEX_OFFSET)));
                    } else if (type == TYPE_CHUNK) {
                        sb.append(" number ").append(b.readInt(start + CHUNK_NUMBER_OFFSET))
                            .append(" data ").append(b.readInt(start + CHUNK_LENGTH_OFFSET));
                    }
                }
            }
        } catch (RuntimeException e) {
            sb.append("\n  (dump failed: ").append(e).append(')');
        }
        return sb.toString();
    }
}
