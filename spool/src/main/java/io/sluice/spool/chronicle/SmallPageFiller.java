package io.sluice.spool.chronicle;

import net.openhft.chronicle.core.OS;
import net.openhft.posix.PosixAPI;

import java.io.File;
import java.io.IOException;

/**
 * Brings a range of one queue file into the page cache as small (base-size) pages, without reading it: maps the
 * range read-only, advises {@code MADV_RANDOM} (so a fault reads only its own page, never a readahead window) and
 * faults it all in with one {@code MADV_POPULATE_READ} (Linux 5.14+), then unmaps it. Nothing is copied and the
 * memory is never touched from Java, so a range the file no longer covers fails the call instead of raising SIGBUS.
 *
 * <p>Why the page size matters: the writer stores through a shared mapping, and on a write fault the kernel marks
 * the whole page-cache folio dirty, since it cannot know which bytes will change. Filled by sequential reads,
 * the cache holds the file in large folios (up to 2 MB), so every group commit's force wrote about 1 MB to disk
 * for ~70 KB of mail: at 7,000 msgs/s of 5 KB the disk took 420-550 MB/s, with base pages 60-80 (measured with vmstat).
 * With base pages a force writes what changed.
 *
 * <p>Uses Chronicle's POSIX binding (JNR), already on the class path with chronicle-core, because the JDK has no
 * madvise and its foreign-function API is not final in Java 21. {@link #open} fails, and the caller falls back to
 * plain reads, where that binding, the call or the kernel support is missing.
 */
class SmallPageFiller implements AutoCloseable { // not final: tests make one that fails

    private static final int O_RDONLY = 0;
    private static final int PROT_READ = 1;
    private static final int MAP_SHARED = 1;
    private static final int MADV_RANDOM = 1;
    private static final int MADV_POPULATE_READ = 22;

    private final PosixAPI posix;
    private final int fd;
    private final long pageSize;

    SmallPageFiller(PosixAPI posix, int fd, long pageSize) {
        this.posix = posix;
        this.fd = fd;
        this.pageSize = pageSize;
    }

    /** Opens {@code file} for filling; IOException if this platform cannot (the caller reads instead). */
    static SmallPageFiller open(File file) throws IOException {
        try {
            PosixAPI posix = PosixAPI.posix();
            int fd = posix.open(file.getPath(), O_RDONLY, 0);
            if (fd < 0) {
                throw new IOException("open " + file + ": " + posix.lastErrorStr());
            }
            return new SmallPageFiller(posix, fd, OS.pageSize());
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("no POSIX binding: " + e, e);
        }
    }

    /** The first page boundary at or below {@code offset}. */
    long alignDown(long offset) {
        return offset - offset % pageSize;
    }

    /** Fills {@code [from, from + length)}; {@code from} must be page-aligned. */
    void fill(long from, long length) throws IOException {
        long address;
        try {
            address = posix.mmap(0, length, PROT_READ, MAP_SHARED, fd, from);
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("mmap: " + e, e);
        }
        try {
            if (posix.madvise(address, length, MADV_RANDOM) != 0
                || posix.madvise(address, length, MADV_POPULATE_READ) != 0) {
                throw new IOException("madvise: " + posix.lastErrorStr());
            }
        } finally {
            posix.munmap(address, length);
        }
    }

    @Override
    public void close() {
        posix.close(fd);
    }
}
