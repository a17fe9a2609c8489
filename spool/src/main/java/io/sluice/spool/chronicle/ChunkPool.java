package io.sluice.spool.chronicle;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Recycles {@link Chunk}s so that {@code append} allocates nothing in the steady state. Holds at most
 * {@code maxPooled} idle chunks; beyond that released chunks are left to the garbage collector (their direct
 * memory with them), so a burst does not pin memory forever. Thread-safe: a stack under a lock held for a few
 * instructions (taken once per 64 KB of body, so contention is negligible). Agrona's lock-free array queues would
 * need {@code --add-exports java.base/jdk.internal.misc} on JDK 21+, a flag the launcher does not pass.
 */
final class ChunkPool {

    private final ReentrantLock lock = new ReentrantLock();
    private final Chunk[] idleLarge;
    private final Chunk[] idleSmall;
    private int idleLargeCount;
    private int idleSmallCount;
    private final int chunkBytes;
    private final int smallBytes;

    /**
     * @param chunkBytes the chunk size: large bodies are written in pieces of this size
     * @param smallBytes the first buffer a message gets; most mail fits, so thousands of sessions in DATA at once
     *                   hold this much each rather than a whole chunk
     */
    ChunkPool(int chunkBytes, int smallBytes, int maxPooled) {
        this.chunkBytes = chunkBytes;
        this.smallBytes = smallBytes;
        this.idleLarge = new Chunk[maxPooled];
        this.idleSmall = new Chunk[maxPooled];
    }

    int chunkBytes() {
        return chunkBytes;
    }

    /** A chunk-sized buffer. */
    Chunk acquire() {
        Chunk c = null;
        lock.lock();
        try {
            if (idleLargeCount > 0) {
                c = idleLarge[--idleLargeCount];
                idleLarge[idleLargeCount] = null;
            }
        } finally {
            lock.unlock();
        }
        return c != null ? c : new Chunk(chunkBytes);
    }

    /** A small first buffer; the writer moves to a chunk-sized one when the body outgrows it. */
    Chunk acquireSmall() {
        Chunk c = null;
        lock.lock();
        try {
            if (idleSmallCount > 0) {
                c = idleSmall[--idleSmallCount];
                idleSmall[idleSmallCount] = null;
            }
        } finally {
            lock.unlock();
        }
        return c != null ? c : new Chunk(smallBytes);
    }

    void release(Chunk c) {
        c.buffer.clear();
        c.owner = null;
        c.isLast = false;
        boolean isLarge = c.buffer.capacity() == chunkBytes;
        lock.lock();
        try {
            if (isLarge && idleLargeCount < idleLarge.length) {
                idleLarge[idleLargeCount++] = c;
            } else if (!isLarge && idleSmallCount < idleSmall.length) {
                idleSmall[idleSmallCount++] = c;
            }
        } finally {
            lock.unlock();
        }
    }
}
