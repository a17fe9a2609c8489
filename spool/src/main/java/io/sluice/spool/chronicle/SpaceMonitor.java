package io.sluice.spool.chronicle;

import java.util.function.LongSupplier;

/**
 * Caches the spool file system's usable space so that {@link #hasSpaceFor} is a volatile read, not a system
 * call: sessions ask before {@code 354} and on every append. The writer thread refreshes it at most every
 * {@link #REFRESH_NS} and subtracts what it writes in between, so a burst cannot overshoot the reserve by more
 * than one refresh interval's worth of estimation error.
 */
final class SpaceMonitor {

    static final long REFRESH_NS = 100_000_000L;

    private final LongSupplier usableBytes;
    private final long minFreeBytes;
    private volatile long cachedUsableBytes;
    private long lastRefreshNs;

    SpaceMonitor(LongSupplier usableBytes, long minFreeBytes) {
        this.usableBytes = usableBytes;
        this.minFreeBytes = minFreeBytes;
        this.cachedUsableBytes = usableBytes.getAsLong();
        this.lastRefreshNs = System.nanoTime();
    }

    boolean hasSpaceFor(long bytes) {
        return cachedUsableBytes - bytes >= minFreeBytes;
    }

    long usableBytes() {
        return cachedUsableBytes;
    }

    /** Writer thread. */
    void refreshIfDue(long nowNs) {
        if (nowNs - lastRefreshNs >= REFRESH_NS) {
            lastRefreshNs = nowNs;
            cachedUsableBytes = usableBytes.getAsLong();
        }
    }

    /** Writer thread: account for bytes just written, until the next refresh measures them. */
    void consume(long bytes) {
        cachedUsableBytes = cachedUsableBytes - bytes;
    }
}
