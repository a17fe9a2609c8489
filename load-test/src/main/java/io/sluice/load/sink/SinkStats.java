package io.sluice.load.sink;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.sluice.load.report.LatencyLog;

/**
 * Counters shared by every sink connection; all updates are lock-free and allocation-free. Times are epoch
 * nanoseconds from {@link WallClock}, so they compare with the generator's timestamps in another process.
 *
 * <p>Warm-up messages (stamped {@code X-Sluice-Load-Wu} by {@code ./sluice load --warmup}) are only counted in
 * {@link #warmupMessages()}: they are not messages for {@code --expect}, bytes, throughput's window or end-to-end
 * latency. The process CPU time is sampled when the first measured message arrives, so CPU per message covers the
 * measured messages only (and not the JVM's start-up).
 */
public final class SinkStats {

    /** Looked up once at start-up, so the first measured message does not pay for initialising management. */
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    final LongAdder messages = new LongAdder();
    final LongAdder warmupMessages = new LongAdder();
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
    /** Process CPU time (ns) when the first measured message arrived; -1 until then. */
    final AtomicLong cpuAtFirstMessageNs = new AtomicLong(-1);
    final LatencyLog.Series endToEnd;

    SinkStats(LatencyLog log) {
        this.endToEnd = log.series("e2e");
    }

    /** Called at the end-of-data line of every message. */
    void onMessage(long sizeBytes, long injectEpochNs, long arrivalEpochNs, boolean warmup) {
        if (warmup) {
            warmupMessages.increment();
            return;
        }
        if (cpuAtFirstMessageNs.get() < 0) {
            // Once per run (the first measured message); a racing second sample loses the CAS and is dropped.
            cpuAtFirstMessageNs.compareAndSet(-1, processCpuNs());
        }
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

    /** Measured messages: warm-up messages do not count. */
    public long messages() {
        return messages.sum();
    }

    public long warmupMessages() {
        return warmupMessages.sum();
    }

    /** Intended injection time of the first measured message (epoch ns): where msgs/s's window starts. */
    public long firstInjectEpochNs() {
        return firstInjectEpochNs.get();
    }

    /** CPU seconds of this process since the first measured message arrived; -1 if unknown or none arrived. */
    public double measuredCpuSeconds() {
        long from = cpuAtFirstMessageNs.get();
        long now = processCpuNs();
        return from < 0 || now < 0 ? -1 : (now - from) / 1e9;
    }

    /** CPU time of this process (user + system) in nanoseconds; -1 if the JVM cannot tell. */
    static long processCpuNs() {
        if (OS instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Bytes of measured messages (headers and body, dot-stuffed as sent, without the end-of-data line). */
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
