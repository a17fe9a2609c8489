package io.sluice.spool.chronicle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the active queue file ahead of the writer, so that the kernel fills the file's holes in the page cache
 * on this thread instead of in the writer's page faults.
 *
 * <p>Why: Chronicle grows a queue file sparsely and the writer touches each new page through its mapping. A fault
 * on a hole makes the kernel read ahead a whole window ({@code read_ahead_kb}, 8 MB on this kind of machine) and
 * zero every page of it, in the faulting thread. Measured on the writer: 30-40 ms on the CPU in {@code memset}
 * every 8 MB (every 1.5 s at 1,000 msgs/s), during which every commit waited: it was the whole 30-40 ms p99 of the
 * accept latency. A positional read of the same range costs the same zeroing, here, off the commit path; the
 * writer's later fault then only maps a page that is already cached.
 *
 * <p>It reads forward in 1 MB pieces on purpose: the kernel's readahead then fills the cache with large folios
 * (2 MB), which the writer maps with one fault each and forces in few pieces. Reading 64 KB blocks backwards (so
 * that no call zeroes a whole readahead window) gave small pages and doubled the accept p50 at 1,000 msgs/s.
 *
 * <p>Only ever reads, so it cannot disturb what the writer wrote; a read behind the writer or past the end of the
 * file does nothing. It stays at most {@link #AHEAD_BYTES} ahead (page cache, not heap). Best effort: any failure
 * is logged once and the writer simply takes the faults itself again.
 */
final class Prefaulter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Prefaulter.class);
    static final long AHEAD_BYTES = 64L << 20;
    private static final int READ_BYTES = 1 << 20;
    private static final long PERIOD_NS = 5_000_000L;

    private final Thread thread = new Thread(this, "sluice-spool-prefault");
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BYTES);
    // Written by the writer after each batch; read here. A torn pair across a roll only costs one useless read.
    private volatile File file;
    private volatile long position;
    private volatile boolean stopRequested;
    private volatile long bytesRead;

    Prefaulter() {
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    void start() {
        thread.start();
    }

    /** Writer thread: where it is now (the file it appends to and an offset in it). Allocation-free. */
    void follow(File current, long offset) {
        if (current != file) {
            file = current;
        }
        position = offset;
    }

    /** Bytes read ahead so far (for tests and the operator's curiosity). */
    long bytesRead() {
        return bytesRead;
    }

    void stop() {
        stopRequested = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        File open = null;
        FileChannel channel = null;
        long cursor = 0;
        try {
            while (!stopRequested) {
                File target = file;
                if (target != null && target != open) {
                    close(channel);
                    channel = FileChannel.open(target.toPath(), StandardOpenOption.READ);
                    open = target;
                    cursor = 0;
                }
                if (channel != null) {
                    cursor = readAhead(channel, Math.max(cursor, position));
                }
                LockSupport.parkNanos(PERIOD_NS);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("spool prefault stopped ({}); the writer fills new pages itself", e.toString());
        } finally {
            close(channel);
        }
    }

    /** Reads from {@code from} up to {@link #AHEAD_BYTES} past the writer, or the end of the file; returns where it stopped. */
    private long readAhead(FileChannel channel, long from) throws IOException {
        long limit = Math.min(position + AHEAD_BYTES, channel.size());
        long at = from;
        while (at < limit && !stopRequested) {
            buffer.clear().limit((int) Math.min(READ_BYTES, limit - at));
            int n = channel.read(buffer, at);
            if (n <= 0) {
                break;
            }
            at += n;
            bytesRead = bytesRead + n;
        }
        return at;
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // read-only; nothing to lose
            }
        }
    }
}
