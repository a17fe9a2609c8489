package io.sluice.load.generator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out message slots to sessions and says when each is due. Thread-safe, allocation-free.
 *
 * <p>Open model ({@code rate > 0}): slot k is due at {@code start + k / rate}, fixed before the run, whatever the
 * server does; the run offers slots whose due time falls inside the duration. Closed model: a slot is due when it is
 * claimed, and slots are handed out until the duration has passed. Either way at most {@code count} slots.
 */
final class Schedule {

    private final AtomicLong next = new AtomicLong();
    private final long count;
    private final long startNs;
    private final long durationNs;
    private final double nsPerMessage;
    private volatile boolean stopped;

    /**
     * @param count      0 = no limit
     * @param durationNs 0 = no limit (the caller guarantees one of the two is set)
     * @param rate       messages per second, 0 = closed model
     */
    Schedule(long count, long durationNs, double rate, long startNs) {
        this.count = count == 0 ? Long.MAX_VALUE : count;
        this.durationNs = durationNs == 0 ? Long.MAX_VALUE : durationNs;
        this.nsPerMessage = rate > 0 ? 1e9 / rate : 0;
        this.startNs = startNs;
    }

    /** @return the next slot, or -1 when the run has offered everything it will */
    long claim() {
        if (stopped) {
            return -1;
        }
        long slot = next.getAndIncrement();
        if (slot >= count) {
            return -1;
        }
        long dueNs = nsPerMessage > 0 ? (long) (slot * nsPerMessage) : System.nanoTime() - startNs;
        if (dueNs >= durationNs) {
            return -1;
        }
        return slot;
    }

    /** Intended send time of a slot in {@code System.nanoTime()} terms; in the closed model, now. */
    long dueNs(long slot) {
        return nsPerMessage > 0 ? startNs + (long) (slot * nsPerMessage) : System.nanoTime();
    }

    boolean isOpen() {
        return nsPerMessage > 0;
    }

    /** Stops handing out slots (signal, hard deadline). */
    void stop() {
        stopped = true;
    }

    /** Slots offered so far (claimed and valid). */
    long offered() {
        return Math.min(next.get(), count);
    }
}
