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
 * Fills the active queue file into the page cache ahead of the writer, so that the kernel zeroes the file's
 * holes on this thread instead of in the writer's page faults.
 *
 * <p>Why: Chronicle grows a queue file sparsely and the writer touches each new page through its mapping. A fault
 * on a hole makes the kernel read ahead a whole window ({@code read_ahead_kb}, 8 MB on this kind of machine) and
 * zero every page of it, in the faulting thread. Measured on the writer: 30-40 ms on the CPU in {@code memset}
 * every 8 MB (every 1.5 s at 1,000 msgs/s), during which every commit waited: it was the whole 30-40 ms p99 of the
 * accept latency. Filling the same range here costs the same zeroing, off the commit path; the writer's later
 * fault then only maps a page that is already cached.
 *
 * <p>It fills with {@link SmallPageFiller} (base pages, so a force writes only what changed) in 1 MB pieces. Where
 * that is not available it reads the pieces instead, which fills the cache with large folios (and multiplies
 * what each force writes; see {@link SmallPageFiller}), and says so once in the log.
 *
 * <p>Never writes, so it cannot disturb what the writer wrote; a fill behind the writer or past the end of the
 * file does nothing. It stays at most {@link #AHEAD_BYTES} ahead (page cache, not heap). Best effort: any failure
 * is logged once and the writer simply takes the faults itself again.
 */
final class Prefaulter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Prefaulter.class);
    static final long AHEAD_BYTES = 64L << 20;
    private static final int PIECE_BYTES = 1 << 20;
    private static final long PERIOD_NS = 5_000_000L;

    private final Thread thread = new Thread(this, "sluice-spool-prefault");
    private ByteBuffer buffer; // only when reading ahead instead of filling
    // Written by the writer after each batch; read here. A torn pair across a roll only costs one useless read.
    private volatile File file;
    private volatile long position;
    private volatile boolean stopRequested;
    private volatile long bytesFilled;
    private final FillerOpener opener;

    /** Opens a {@link SmallPageFiller} for a file, or fails (then the prefaulter reads). A seam for tests. */
    @FunctionalInterface
    interface FillerOpener {
        SmallPageFiller open(File file) throws IOException;
    }

    Prefaulter() {
        this(SmallPageFiller::open);
    }

    Prefaulter(FillerOpener opener) {
        this.opener = opener;
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

    /** Bytes filled or read ahead so far (for tests and the operator's curiosity). */
    long bytesFilled() {
        return bytesFilled;
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
        SmallPageFiller filler = null;
        boolean canFill = true;
        long cursor = 0;
        try {
            while (!stopRequested) {
                File target = file;
                if (target != null && target != open) {
                    close(channel);
                    if (filler != null) {
                        filler.close();
                        filler = null;
                    }
                    channel = FileChannel.open(target.toPath(), StandardOpenOption.READ);
                    if (canFill) {
                        filler = openFiller(target);
                        canFill = filler != null;
                    }
                    open = target;
                    cursor = 0;
                }
                if (channel != null) {
                    long from = Math.max(cursor, position);
                    long limit = Math.min(position + AHEAD_BYTES, channel.size());
                    if (filler != null) {
                        try {
                            cursor = fill(filler, from, limit);
                        } catch (IOException e) {
                            LOG.warn("spool prefault: small-page fill failed ({}); reading ahead instead, so"
                                + " forces write whole large pages", e.toString());
                            filler.close();
                            filler = null;
                            canFill = false;
                            cursor = from;
                        }
                    } else {
                        cursor = readAhead(channel, from, limit);
                    }
                }
                LockSupport.parkNanos(PERIOD_NS);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("spool prefault stopped ({}); the writer fills new pages itself", e.toString());
        } finally {
            close(channel);
            if (filler != null) {
                filler.close();
            }
        }
    }

    private SmallPageFiller openFiller(File target) {
        try {
            return opener.open(target);
        } catch (IOException e) {
            LOG.info("spool prefault: no small-page fill on this platform ({}); reading ahead instead", e.toString());
            return null;
        }
    }

    /** Fills from {@code from} up to {@code limit}; returns where it stopped. */
    private long fill(SmallPageFiller filler, long from, long limit) throws IOException {
        long at = filler.alignDown(from);
        while (at < limit && !stopRequested) {
            long n = Math.min(PIECE_BYTES, limit - at);
            filler.fill(at, n);
            at += n;
            bytesFilled = bytesFilled + n;
        }
        return Math.max(at, from);
    }

    /** Reads from {@code from} up to {@code limit}; returns where it stopped. */
    private long readAhead(FileChannel channel, long from, long limit) throws IOException {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(PIECE_BYTES);
        }
        long at = from;
        while (at < limit && !stopRequested) {
            buffer.clear().limit((int) Math.min(PIECE_BYTES, limit - at));
            int n = channel.read(buffer, at);
            if (n <= 0) {
                break;
            }
            at += n;
            bytesFilled = bytesFilled + n;
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
