package io.sluice.spool.chronicle;

/**
 * Notices forces slow enough to show in the accept latency and reports them at most once per interval. Every
 * commit waits for a force before its 250, so a disk that stalls holds every session for that long: on this
 * project's VM disk, under load, one {@code fdatasync} in every 10-30 s took 0.1-0.7 s while the device's own write
 * latency rose ~15x for that second. A line in the log is how an operator tells such a tail from one the gateway
 * made. Writer thread only; allocates only when it reports.
 */
final class SlowForces {

    /** A force this long or longer is worth a line: at 1,000 msgs/s it holds ~100 commits. */
    static final long SLOW_NS = 100_000_000L;
    /** At most one line per this long, however bad the disk. */
    static final long REPORT_INTERVAL_NS = 10_000_000_000L;

    /** What to log: slow forces since the last report (or since open). */
    record Report(int forces, long longestNs, long thresholdNs) {
    }

    private final long slowNs;
    private final long intervalNs;
    private long total;
    private int pending;
    private long pendingLongestNs;
    private long lastReportNs;
    private boolean reportedBefore;

    SlowForces() {
        this(SLOW_NS, REPORT_INTERVAL_NS);
    }

    SlowForces(long slowNs, long intervalNs) {
        this.slowNs = slowNs;
        this.intervalNs = intervalNs;
    }

    /** Records one force that took {@code durationNs}, ending at {@code nowNs}; returns a report if one is due. */
    Report record(long durationNs, long nowNs) {
        if (durationNs >= slowNs) {
            total++;
            pending++;
            pendingLongestNs = Math.max(pendingLongestNs, durationNs);
        }
        return due(nowNs);
    }

    /** The pending report, if there is one and the last report is at least an interval ago; else null. */
    Report due(long nowNs) {
        if (pending == 0 || reportedBefore && nowNs - lastReportNs < intervalNs) {
            return null;
        }
        Report r = new Report(pending, pendingLongestNs, slowNs);
        pending = 0;
        pendingLongestNs = 0;
        lastReportNs = nowNs;
        reportedBefore = true;
        return r;
    }

    /** Slow forces since open, reported or not. */
    long total() {
        return total;
    }
}
