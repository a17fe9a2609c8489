package io.sluice.load.sink;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.sluice.load.report.LatencyLog;

/**
 * Counters shared by every sink connection; all updates are lock-free and allocation-free. Times are epoch
 * nanoseconds from {@link WallClock}, so they compare with the generator's timestamps in another process.
 */
public final class SinkStats {

    final LongAdder messages = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder connections = new LongAdder();
    final AtomicInteger openConnections = new AtomicInteger();
    final LongAdder rcptRejected = new LongAdder();
    final LongAdder withoutTimestamp = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    /** Earliest X-Sluice-Load-Ts seen: when the first message of the run was (meant to be) injected. */
    final AtomicLong firstInjectEpochNs = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong firstArrivalEpochNs = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastArrivalEpochNs = new AtomicLong(Long.MIN_VALUE);
    final LatencyLog.Series endToEnd;

    SinkStats(LatencyLog log) {
        this.endToEnd = log.series("e2e");
    }

    /** Called at the end-of-data line of every message. */
    void onMessage(long sizeBytes, long injectEpochNs, long arrivalEpochNs) {
        messages.increment();
        bytes.add(sizeBytes);
        if (injectEpochNs > 0) {
            endToEnd.recordNs(arrivalEpochNs - injectEpochNs);
            if (injectEpochNs < firstInjectEpochNs.get()) {
                firstInjectEpochNs.accumulateAndGet(injectEpochNs, Math::min);
            }
        } else {
            withoutTimestamp.increment();
        }
        if (arrivalEpochNs < firstArrivalEpochNs.get()) {
            firstArrivalEpochNs.accumulateAndGet(arrivalEpochNs, Math::min);
        }
        if (arrivalEpochNs > lastArrivalEpochNs.get()) {
            lastArrivalEpochNs.accumulateAndGet(arrivalEpochNs, Math::max);
        }
    }

    public long messages() {
        return messages.sum();
    }

    /** Message bytes received (headers and body, dot-stuffed as sent, without the end-of-data line). */
    public long bytes() {
        return bytes.sum();
    }

    public long connections() {
        return connections.sum();
    }

    public int openConnections() {
        return openConnections.get();
    }

    public LatencyLog.Series endToEnd() {
        return endToEnd;
    }
}
