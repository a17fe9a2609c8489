package io.sluice.spool.chronicle;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.ByteBuffer;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/**
 * Encodes spool records (see {@link SpoolRecordDescriptor}) onto the one appender. Writer thread only. Every
 * record is one {@code writingDocument()} in try-with-resources, rolled back on any failure, so a record is
 * either complete in the queue or absent. Body bytes are copied once, from the off-heap chunk straight into the
 * mapped file. Allocates nothing.
 */
final class RecordWriter {

    private final ExcerptAppender appender;
    private final long maxRecordBytes;
    /**
     * Absolute offset in the queue file of the body bytes of the last CHUNK or inline MESSAGE record: the mapped
     * bytes' write position is the file offset (as a tailer's read position is), so readers can use it with
     * positional reads and need no tailer.
     */
    private long lastBodyPosition;

    RecordWriter(ExcerptAppender appender, long maxRecordBytes) {
        this.appender = appender;
        this.maxRecordBytes = maxRecordBytes;
    }

    ExcerptAppender appender() {
        return appender;
    }

    /** See {@link #lastBodyPosition}; valid right after the write, in the file of {@link #lastCycle()}. */
    long lastBodyPosition() {
        return lastBodyPosition;
    }

    /** The roll cycle (queue file) of the last record written. */
    int lastCycle() {
        return appender.cycle();
    }

    /** True when a record of this length fits one excerpt (Chronicle's limit is blockSize / 4). */
    boolean fits(long recordLength) {
        return recordLength <= maxRecordBytes;
    }

    /** Appends a CHUNK record; returns its queue index. */
    long writeChunk(long messageId, int number, boolean isLast, ByteBuffer data) {
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                Bytes<?> b = dc.wire().bytes();
                header(b, TYPE_CHUNK, isLast ? FLAG_LAST_CHUNK : 0, messageId);
                b.writeInt(number);
                b.writeInt(data.remaining());
                lastBodyPosition = b.writePosition();
                copy(b, data);
            } catch (Throwable t) {
                dc.rollbackOnClose();
                throw t;
            }
        }
        return appender.lastIndexAppended();
    }

    /** Appends a MESSAGE record; {@code inlineBody} is null for a chunked message. Returns its queue index. */
    long writeMessage(long messageId, short flags, long bodyLength, long firstChunkIndex, int chunkCount,
                      byte[] envelope, ByteBuffer inlineBody) {
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                Bytes<?> b = dc.wire().bytes();
                header(b, TYPE_MESSAGE, flags, messageId);
                b.writeLong(bodyLength);
                b.writeLong(firstChunkIndex);
                b.writeInt(chunkCount);
                b.writeInt(envelope.length);
                b.write(envelope);
                if (inlineBody != null) {
                    lastBodyPosition = b.writePosition();
                    copy(b, inlineBody);
                }
            } catch (Throwable t) {
                dc.rollbackOnClose();
                throw t;
            }
        }
        return appender.lastIndexAppended();
    }

    void writeEvent(EventOp e) {
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                Bytes<?> b = dc.wire().bytes();
                header(b, TYPE_EVENT, (short) 0, e.messageId());
                b.writeInt(e.recipient());
                b.writeByte((byte) e.state().ordinal());
                b.writeByte((byte) 0);
                b.writeShort((short) e.replyUtf8().length);
                b.writeInt(e.attempts());
                b.writeInt(0);
                b.writeLong(e.nextAttemptEpochMs());
                b.write(e.replyUtf8());
            } catch (Throwable t) {
                dc.rollbackOnClose();
                throw t;
            }
        }
    }

    private static void header(Bytes<?> b, byte type, short flags, long messageId) {
        b.writeByte(VERSION);
        b.writeByte(type);
        b.writeShort(flags);
        b.writeInt(0);
        b.writeLong(messageId);
    }

    /**
     * Copies all of {@code src}. {@code writeSome} stops silently at the excerpt limit (see the Chronicle notes),
     * so a short copy is an error here, never a truncated body.
     */
    private static void copy(Bytes<?> b, ByteBuffer src) {
        int expected = src.remaining();
        int start = src.position();
        b.writeSome(src);
        if (src.position() - start != expected) {
            throw new IllegalStateException("short write: " + (src.position() - start) + " of " + expected);
        }
    }
}
