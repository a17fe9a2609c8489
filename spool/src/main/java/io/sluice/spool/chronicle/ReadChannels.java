package io.sluice.spool.chronicle;

import org.agrona.collections.Int2ObjectHashMap;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One read-only {@link FileChannel} per queue file, shared by every body reader: positional reads and
 * {@code transferTo(position, ...)} do not use the channel's position, so concurrent readers are safe (measured
 * cost of the alternative, a channel plus a Chronicle tailer per opened body: 79% of the relay's CPU samples).
 *
 * <p>Readers {@link #acquire} a lease on a file and {@link Lease#release} it when their body is closed. When
 * reclamation deletes a file it {@link #retire}s it: the file can no longer be acquired, and its channel is
 * closed once the last lease is released. Until then a reader keeps reading the unlinked file (POSIX keeps its
 * data while a descriptor is open), so a body opened before its file was deleted stays readable.
 *
 * <p>Known compromise: a {@code FileChannel} is closed when a thread blocked in it is interrupted
 * ({@code ClosedByInterruptException}); other readers of that file then fail with an {@code IOException} and the
 * next {@link #acquire} opens a fresh channel. Delivery threads are interrupted only at shutdown.
 *
 * <p>Thread-safe: a {@link ReentrantLock} guards the map for a few instructions (opening a channel, once per
 * file, is the only system call under it). Allocates one lease per acquire.
 */
final class ReadChannels {

    private final ReentrantLock lock = new ReentrantLock();
    private final Int2ObjectHashMap<Lease> byCycle = new Int2ObjectHashMap<>();
    private boolean isClosed;

    /** The file of {@code cycle} exists (replay, or the appender started it); readers may now acquire it. */
    void register(int cycle, File file) {
        lock.lock();
        try {
            if (!isClosed && !byCycle.containsKey(cycle)) {
                byCycle.put(cycle, new Lease(cycle, file));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A lease on the file of {@code cycle}, its channel open.
     *
     * @throws IOException when the file was reclaimed (or never existed) or cannot be opened
     */
    Lease acquire(int cycle) throws IOException {
        lock.lock();
        try {
            Lease l = byCycle.get(cycle);
            if (l == null) {
                throw new IOException("spool file of cycle " + cycle + " is gone (reclaimed?)");
            }
            if (l.channel == null || !l.channel.isOpen()) {
                l.channel = FileChannel.open(l.file.toPath(), StandardOpenOption.READ);
            }
            l.refs++;
            return l;
        } finally {
            lock.unlock();
        }
    }

    /** The file is being deleted: no new leases; its channel closes when the last one is released. */
    void retire(int cycle) {
        lock.lock();
        try {
            Lease l = byCycle.remove(cycle);
            if (l != null) {
                l.isRetired = true;
                l.closeIfUnused();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The spool is closing: every channel is closed now; readers still holding one fail with an IOException. */
    void closeAll() {
        List<Lease> all;
        lock.lock();
        try {
            isClosed = true;
            all = new ArrayList<>(byCycle.values());
            byCycle.clear();
        } finally {
            lock.unlock();
        }
        for (Lease l : all) {
            l.isRetired = true;
            l.refs = 0;
            l.closeIfUnused();
        }
    }

    /** A counted use of one file's channel; shared by all holders, so a holder must release it exactly once. */
    final class Lease {

        private final int cycle;
        private final File file;
        private FileChannel channel;
        private int refs;
        private boolean isRetired;

        private Lease(int cycle, File file) {
            this.cycle = cycle;
            this.file = file;
        }

        int cycle() {
            return cycle;
        }

        /** The channel; valid until {@link #release}. */
        FileChannel channel() {
            return channel;
        }

        void release() {
            lock.lock();
            try {
                refs--;
                closeIfUnused();
            } finally {
                lock.unlock();
            }
        }

        private void closeIfUnused() {
            if (isRetired && refs <= 0 && channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // A read-only channel has nothing to flush; nothing to report.
                }
                channel = null;
            }
        }
    }
}
