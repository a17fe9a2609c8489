package io.sluice.load.sink;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.sluice.load.report.LatencyLog;
import io.sluice.load.report.Percentiles;

/**
 * {@code ./sluice sink}: runs a {@link SinkServer} until {@code --duration}, {@code --expect} messages, or SIGINT /
 * SIGTERM, printing a progress line each second (stderr) and a summary plus a {@code RESULT sink ...} line (stdout).
 */
public final class SinkMain {

    private SinkMain() {
    }

    /** @return the process exit code */
    public static int run(SinkOptions o) throws IOException, InterruptedException {
        LatencyLog log = new LatencyLog(o.hlog());
        SinkServer sink = SinkServer.start(o.listen(), log, o.rcptRejectFraction(), o.rejectCode(),
                o.idleTimeoutMs(), o.chunking(), o.replyDelayNs());
        // Scripts wait for this exact line and read the port from it.
        System.out.println("sink listening on " + sink.address().getAddress().getHostAddress() + ":" + sink.port());
        System.out.flush();
        long startNs = System.nanoTime();
        AtomicBoolean summarized = new AtomicBoolean();
        Thread hook = new Thread(() -> summarize(sink, log, startNs, summarized, "signal"));
        Runtime.getRuntime().addShutdownHook(hook);

        long nextTickNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long lastCount = 0;
        String reason;
        while (true) {
            long now = System.nanoTime();
            if (o.expectMessages() > 0 && sink.stats().messages() >= o.expectMessages()) {
                reason = "expected messages arrived";
                break;
            }
            if (o.durationNs() > 0 && now - startNs >= o.durationNs()) {
                reason = "duration elapsed";
                break;
            }
            if (now - nextTickNs >= 0) {
                synchronized (log) {
                    log.tick();
                }
                long count = sink.stats().messages();
                if (o.progress()) {
                    System.err.printf(Locale.ROOT, "sink %5ds msgs/s=%-7d total=%-9d warmup=%-7d conns open=%-6d "
                                    + "total=%-7d e2e p99 interval=%s run=%s%n",
                            TimeUnit.NANOSECONDS.toSeconds(now - startNs), count - lastCount, count,
                            sink.stats().warmupMessages(),
                            sink.stats().openConnections(), sink.stats().connections(),
                            Percentiles.p99(sink.stats().endToEnd().interval()),
                            Percentiles.p99(sink.stats().endToEnd().total()));
                }
                lastCount = count;
                nextTickNs += TimeUnit.SECONDS.toNanos(1);
            }
            Thread.sleep(20);
        }
        summarize(sink, log, startNs, summarized, reason);
        return 0;
    }

    /** VmHWM (peak resident set) from /proc/self/status in KiB; -1 where there is no /proc. */
    private static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the field is simply absent
        }
        return -1;
    }

    private static void summarize(SinkServer sink, LatencyLog log, long startNs, AtomicBoolean done, String why) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        sink.close();
        synchronized (log) {
            log.tick();
            log.close();
        }
        SinkStats s = sink.stats();
        long messages = s.messages();
        long first = Math.min(s.firstInjectEpochNs.get(), s.firstArrivalEpochNs.get());
        long last = s.lastArrivalEpochNs.get();
        double windowS = messages > 0 ? Math.max(1, last - first) / 1e9 : 0;
        double rate = windowS > 0 ? messages / windowS : 0;
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "sink stopped (%s) after %.1f s%n", why, (System.nanoTime() - startNs) / 1e9);
        out.printf(Locale.ROOT, "  messages=%d bytes=%d connections=%d rcpt_rejected=%d unstamped=%d "
                        + "protocol_errors=%d%n", messages, s.bytes.sum(), s.connections(), s.rcptRejected.sum(),
                s.withoutTimestamp.sum(), s.protocolErrors.sum());
        if (s.warmupMessages() > 0) {
            out.printf(Locale.ROOT, "  warmup messages=%d (left out of every other figure)%n", s.warmupMessages());
        }
        out.printf(Locale.ROOT, "  first injection -> last arrival: %.3f s, %.0f msgs/s%n", windowS, rate);
        out.println("  end-to-end latency: " + Percentiles.line(s.endToEnd().total()));
        // cpu_s: from the first measured message's arrival, as compare.sh samples the servers from the warm-up's end.
        double cpuS = s.measuredCpuSeconds();
        double cpuTotalS = SinkStats.processCpuNs() / 1e9;
        long hwmKb = peakRssKb();
        out.printf(Locale.ROOT, "  sink process: cpu %.2f s over the measured messages (%.2f s in all), "
                + "peak RSS %d MB%n", cpuS, cpuTotalS, hwmKb / 1024);
        out.printf(Locale.ROOT, "RESULT sink messages=%d warmup=%d connections=%d window_s=%.3f msgs_per_s=%.1f "
                        + "cpu_s=%.3f cpu_total_s=%.3f vmhwm_kb=%d %s%n", messages, s.warmupMessages(),
                s.connections(), windowS, rate, cpuS, cpuTotalS, hwmKb,
                Percentiles.keyValues("e2e", s.endToEnd().total()));
        out.flush();
    }
}
