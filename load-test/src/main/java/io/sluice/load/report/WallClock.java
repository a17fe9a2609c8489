package io.sluice.load.report;

import java.time.Instant;

/**
 * Epoch nanoseconds without allocating: {@code System.nanoTime()} plus an offset taken once from the wall clock
 * (microsecond resolution on Linux). The generator stamps messages with the same kind of clock in its own process,
 * so end-to-end latency between the two is accurate to the offsets' resolution (microseconds), and drift over a
 * run of minutes is negligible.
 */
public final class WallClock {

    private static final long OFFSET_NS;

    static {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        OFFSET_NS = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (before + (after - before) / 2);
    }

    private WallClock() {
    }

    public static long epochNs() {
        return System.nanoTime() + OFFSET_NS;
    }

    /** The epoch time of a {@code System.nanoTime()} reading. */
    public static long epochNsOf(long nanoTime) {
        return nanoTime + OFFSET_NS;
    }
}
