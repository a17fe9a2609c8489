package io.sluice.spool.chronicle;

import io.sluice.spool.index.IndexedMessage;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;

import static io.sluice.spool.chronicle.SpoolRecordDescriptor.*;

/**
 * Walks a stored body as (file, absolute offset, length) segments: one for an inline body, one per chunk
 * otherwise. A tailer's read position inside a mapped document is the absolute offset in the queue file (see the
 * Chronicle notes), so callers can read or {@code transferTo} straight from the file without copying through
 * the heap. Chunks are found by walking forward from the first chunk's queue index and picking this message's
 * records (other messages' records may be interleaved). One cursor per reader; not thread-safe.
 */
final class BodySegments implements AutoCloseable {

    private final IndexedMessage message;
    private final ExcerptTailer tailer;
    private int nextChunk;
    private boolean started;
    File file;
    long position;
    long length;

    BodySegments(SingleChronicleQueue queue, IndexedMessage message) {
        this.message = message;
        this.tailer = queue.createTailer();
        this.tailer.singleThreadedCheckDisabled(true);
    }

    /** Moves to the next segment; false at the end of the body. */
    boolean next() throws IOException {
        if (message.chunkCount() == 0) {
            if (started) {
                return false;
            }
            started = true;
            return inline();
        }
        if (nextChunk == message.chunkCount()) {
            return false;
        }
        if (!started) {
            started = true;
            if (!tailer.moveToIndex(message.firstChunkIndex())) {
                throw missing("first chunk");
            }
        }
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    throw missing("chunk " + nextChunk);
                }
                if (!dc.isData()) {
                    continue;
                }
                Bytes<?> b = dc.wire().bytes();
                long start = b.readPosition();
                if (b.readRemaining() >= CHUNK_DATA_OFFSET
                    && b.readByte(start + VERSION_OFFSET) == VERSION
                    && b.readByte(start + TYPE_OFFSET) == TYPE_CHUNK
                    && b.readLong(start + MESSAGE_ID_OFFSET) == message.id()
                    && b.readInt(start + CHUNK_NUMBER_OFFSET) == nextChunk) {
                    set(start + CHUNK_DATA_OFFSET, b.readInt(start + CHUNK_LENGTH_OFFSET));
                    nextChunk++;
                    return true;
                }
            }
        }
    }

    private boolean inline() throws IOException {
        if (!tailer.moveToIndex(message.recordIndex())) {
            throw missing("message record");
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw missing("message record");
            }
            Bytes<?> b = dc.wire().bytes();
            long start = b.readPosition();
            set(start + ENVELOPE_OFFSET + b.readInt(start + ENVELOPE_LENGTH_OFFSET), message.bodyBytes());
            return true;
        }
    }

    private void set(long absolutePosition, long bytes) throws IOException {
        file = tailer.currentFile();
        if (file == null) {
            throw missing("queue file");
        }
        position = absolutePosition;
        length = bytes;
    }

    private IOException missing(String what) {
        return new IOException("spooled body of message " + Long.toHexString(message.id()) + " is incomplete: "
            + what + " not found (file reclaimed?)");
    }

    @Override
    public void close() {
        tailer.close();
    }
}
