package io.sluice.load.generator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out message slots to sessions and says when each is due. Thread-safe, allocation-free.
 *
 * <p>Open model ({@code rate > 0}): slot k is due at {@code start + k / rate}, fixed before the run, whatever the
 * server does; the run offers slots whose due time falls inside the duration. Closed model: a slot is due when it is
 * claimed, and slots are handed out until the duration has passed. Either way at most {@code count} measured slots.
 *
 * <p>Warm-up: the first {@code warmup} slots are sent like any other (same sessions, and in the open model the
 * same fixed schedule, so slot {@code warmup} is due {@code 1 / rate} after the last warm-up slot) but are not
 * measured. The measured part starts at the first measured slot: its due time in the open model, the moment it is
 * claimed in the closed model; {@code count} and {@code duration} count from there. The warm-up may take at most
 * {@code warmupCapNs}; a warm-up slot claimed later than that ends the run, so a server too slow to finish its
 * warm-up cannot hold a run open (in the open model the options refuse a warm-up longer than the cap up front).
 */
final class Schedule {

    private static final long NOT_STARTED = Long.MIN_VALUE;

    private final AtomicLong next = new AtomicLong();
    private final long warmup;
    private final long total;
    private final long startNs;
    private final long durationNs;
    private final long warmupCapNs;
    private final double nsPerMessage;
    /** {@code System.nanoTime()} at which the measured part starts; set once, by the first measured claim. */
    private final AtomicLong measuredStartNs = new AtomicLong(NOT_STARTED);
    private volatile boolean stopped;

    /**
     * @param warmup      unmeasured slots before the measured ones, 0 = none
     * @param count       measured slots, 0 = no limit
     * @param durationNs  measured part's length, 0 = no limit (the caller guarantees count or duration is set)
     * @param rate        messages per second, 0 = closed model
     * @param warmupCapNs longest the warm-up may take
     */
    Schedule(long warmup, long count, long durationNs, double rate, long startNs, long warmupCapNs) {
        this.warmup = warmup;
        this.total = count == 0 ? Long.MAX_VALUE : warmup + count;
        this.durationNs = durationNs == 0 ? Long.MAX_VALUE : durationNs;
        this.nsPerMessage = rate > 0 ? 1e9 / rate : 0;
        this.startNs = startNs;
        this.warmupCapNs = warmupCapNs;
        if (warmup == 0 || nsPerMessage > 0) {
            // Known up front: the start of the run, or the warm-up's end on the fixed schedule.
            measuredStartNs.set(startNs + offsetNs(warmup));
        }
    }

    /** @return the next slot, or -1 when the run has offered everything it will */
    long claim() {
        if (stopped) {
            return -1;
        }
        long slot = next.getAndIncrement();
        if (slot >= total) {
            return -1;
        }
        if (slot < warmup) {
            long sinceStartNs = nsPerMessage > 0 ? offsetNs(slot) : System.nanoTime() - startNs;
            if (sinceStartNs >= warmupCapNs) {
                stopped = true;
                return -1;
            }
            return slot;
        }
        long measuredNs;
        if (nsPerMessage > 0) {
            measuredNs = offsetNs(slot) - offsetNs(warmup);
        } else {
            long now = System.nanoTime();
            long start = measuredStartNs.get();
            if (start == NOT_STARTED) {
                // Whichever measured claim comes first starts the clock (normally slot `warmup` itself).
                measuredStartNs.compareAndSet(NOT_STARTED, now);
                start = measuredStartNs.get();
            }
            measuredNs = now - start;
        }
        if (measuredNs >= durationNs) {
            return -1;
        }
        return slot;
    }

    private long offsetNs(long slot) {
        return (long) (slot * nsPerMessage);
    }

    /** Intended send time of a slot in {@code System.nanoTime()} terms; in the closed model, now. */
    long dueNs(long slot) {
        return nsPerMessage > 0 ? startNs + offsetNs(slot) : System.nanoTime();
    }

    boolean isWarmup(long slot) {
        return slot < warmup;
    }

    boolean isLastWarmup(long slot) {
        return slot == warmup - 1;
    }

    boolean isOpen() {
        return nsPerMessage > 0;
    }

    /**
     * Where throughput's clock starts: the intended time of the first measured slot (open model, and the run's
     * start without a warm-up), or the moment it was claimed (closed model); {@code fallbackNs} if no measured slot
     * was ever claimed.
     */
    long measuredStartNs(long fallbackNs) {
        long s = measuredStartNs.get();
        return s == NOT_STARTED ? fallbackNs : s;
    }

    /** Stops handing out slots (signal, hard deadline). */
    void stop() {
        stopped = true;
    }

    /** Slots offered so far (claimed and valid), warm-up included. */
    long offered() {
        return Math.min(next.get(), total);
    }
}
