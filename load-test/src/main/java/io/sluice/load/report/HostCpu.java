package io.sluice.load.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The whole machine's CPU time counters from Linux's {@code /proc/stat} (all processes, all CPUs, in clock ticks),
 * so that a run can report how busy the host was while it measured. Why: generator, server and sink often share
 * the cores, and a latency tail on a host that is 90% busy, or whose hypervisor steals time, says more about the
 * host than about the server. Elsewhere than Linux there is no sample and nothing is reported.
 *
 * @param busy  user, nice, system, irq and softirq time (guest time is already inside user and nice)
 * @param idle  idle and iowait time
 * @param steal time the hypervisor ran something else while this machine had work
 */
public record HostCpu(long busy, long idle, long steal) {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** The counters now, or null where they cannot be read. */
    public static HostCpu sample() {
        return sample(PROC_STAT);
    }

    static HostCpu sample(Path stat) {
        try (var lines = Files.lines(stat)) {
            return lines.findFirst().map(HostCpu::parse).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The aggregate {@code cpu  user nice system idle iowait irq softirq steal ...} line, or null if it is not one. */
    static HostCpu parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            return null;
        }
        try {
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = Long.parseLong(f[8]);
            return new HostCpu(user + nice + system + irq + softirq, idle + iowait, steal);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** What happened between {@code earlier} and this sample; null when no time passed. */
    public Share since(HostCpu earlier) {
        long b = busy - earlier.busy;
        long i = idle - earlier.idle;
        long s = steal - earlier.steal;
        long total = b + i + s;
        return total > 0 ? new Share(100.0 * b / total, 100.0 * s / total) : null;
    }

    /** Shares of all CPUs' time over an interval, in percent. */
    public record Share(double busyPct, double stealPct) {

        /** {@code host_busy_pct=88.5 host_steal_pct=0.2} for the RESULT line scripts parse. */
        public String keyValues() {
            return String.format(Locale.ROOT, "host_busy_pct=%.1f host_steal_pct=%.1f", busyPct, stealPct);
        }
    }
}
