package io.sluice.spool.chronicle;

import java.nio.ByteBuffer;

/**
 * A pooled off-heap staging buffer for body bytes. A session fills it in {@code append}; when it is full (and more
 * data arrives) or at commit, the session hands it to the writer thread, which appends it (as a CHUNK record or as
 * the inline body of a MESSAGE record) and returns it to the {@link ChunkPool}. Exactly one thread owns a chunk at
 * any time; the MPSC queue hand-off publishes its contents.
 */
final class Chunk {

    final ByteBuffer buffer;
    ChronicleSpoolWriter owner;
    int number;
    boolean isLast;

    Chunk(int capacity) {
        this.buffer = ByteBuffer.allocateDirect(capacity);
    }
}
