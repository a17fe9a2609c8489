package io.sluice.gateway.delivery;

import java.time.Duration;
import java.util.List;

/**
 * When a deferred recipient is tried again ({@code delivery.retry-schedule}: the n-th delay follows the n-th
 * failed attempt, the last delay repeats) and when it gives up ({@code delivery.max-queue-lifetime}, counted
 * from arrival, as Postfix's {@code maximal_queue_lifetime}). Immutable; thread-safe; no allocation.
 */
final class RetrySchedule {

    private final long[] delaysMs;
    private final long maxQueueLifetimeMs;

    RetrySchedule(List<Duration> delays, Duration maxQueueLifetime) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("retry schedule is empty");
        }
        this.delaysMs = delays.stream().mapToLong(Duration::toMillis).toArray();
        this.maxQueueLifetimeMs = maxQueueLifetime.toMillis();
    }

    /** Delay after the attempt numbered {@code attempt} (1 = the first attempt) failed temporarily. */
    long delayMsAfter(int attempt) {
        int i = Math.max(0, Math.min(attempt - 1, delaysMs.length - 1));
        return delaysMs[i];
    }

    /** True when a message that arrived at {@code arrivalEpochMs} must not be deferred any more at {@code nowMs}. */
    boolean isExpired(long arrivalEpochMs, long nowMs) {
        return nowMs - arrivalEpochMs >= maxQueueLifetimeMs;
    }
}
