package io.sluice.gateway.delivery;

import io.sluice.spool.SpoolEntry;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs one dispatch of a message produced (one per destination and transaction). When the last one is done,
 * its failures become one DSN listing every failed recipient together, and its deferrals one retry timer.
 * Thread-safe: jobs finish on different delivery threads.
 */
final class Batch {

    /** A recipient that failed (bounced or expired) or, with NOTIFY=SUCCESS, succeeded, and how to report it. */
    record Finished(Outcome outcome, DsnBuilder.Action action) {
    }

    private final SpoolEntry entry;
    private final AtomicInteger pendingJobs;
    private final AtomicLong earliestRetryEpochMs = new AtomicLong(Long.MAX_VALUE);
    private final ConcurrentLinkedQueue<Finished> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Finished> successes = new ConcurrentLinkedQueue<>();

    Batch(SpoolEntry entry, int jobs) {
        this.entry = entry;
        this.pendingJobs = new AtomicInteger(jobs);
    }

    SpoolEntry entry() {
        return entry;
    }

    void addFailure(Outcome o) {
        failures.add(new Finished(o, DsnBuilder.Action.FAILED));
    }

    void addSuccess(Outcome o, DsnBuilder.Action action) {
        successes.add(new Finished(o, action));
    }

    void noteRetry(long dueEpochMs) {
        earliestRetryEpochMs.accumulateAndGet(dueEpochMs, Math::min);
    }

    /** True for the caller that finished the last job: it then reads the lists (no more writers exist). */
    boolean jobDone() {
        return pendingJobs.decrementAndGet() == 0;
    }

    List<Finished> failures() {
        return List.copyOf(failures);
    }

    List<Finished> successes() {
        return List.copyOf(successes);
    }

    long earliestRetryEpochMs() {
        return earliestRetryEpochMs.get();
    }
}
