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
    private final Chunk[] idle;
    private int idleCount;
    private final int chunkBytes;

    ChunkPool(int chunkBytes, int maxPooled) {
        this.chunkBytes = chunkBytes;
        this.idle = new Chunk[maxPooled];
    }

    int chunkBytes() {
        return chunkBytes;
    }

    Chunk acquire() {
        Chunk c = null;
        lock.lock();
        try {
            if (idleCount > 0) {
                c = idle[--idleCount];
                idle[idleCount] = null;
            }
        } finally {
            lock.unlock();
        }
        return c != null ? c : new Chunk(chunkBytes);
    }

    void release(Chunk c) {
        c.buffer.clear();
        c.owner = null;
        c.isLast = false;
        lock.lock();
        try {
            if (idleCount < idle.length) {
                idle[idleCount++] = c;
            }
        } finally {
            lock.unlock();
        }
    }
}
