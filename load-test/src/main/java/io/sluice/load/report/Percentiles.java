package io.sluice.load.report;

import java.util.Locale;

import org.HdrHistogram.Histogram;

/** Formats latency histograms (values in nanoseconds) as milliseconds, for people and for scripts. */
public final class Percentiles {

    private Percentiles() {
    }

    /** {@code p50=1.23ms p90=... p99=... p99.9=... max=... (n=1234)}. */
    public static String line(Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return "(no samples)";
        }
        return String.format(Locale.ROOT, "p50=%s p90=%s p99=%s p99.9=%s max=%s (n=%d)",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
    }

    /** {@code PREFIX_p50_ms=1.234 PREFIX_p90_ms=...} for the RESULT line scripts parse. */
    public static String keyValues(String prefix, Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return prefix + "_n=0";
        }
        return String.format(Locale.ROOT, "%1$s_p50_ms=%2$.3f %1$s_p90_ms=%3$.3f %1$s_p99_ms=%4$.3f "
                        + "%1$s_p999_ms=%5$.3f %1$s_max_ms=%6$.3f %1$s_n=%7$d", prefix,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6,
                h.getTotalCount());
    }

    /** p99 of a histogram in ms, "-" when empty. */
    public static String p99(Histogram h) {
        return h == null || h.getTotalCount() == 0 ? "-" : ms(h.getValueAtPercentile(99));
    }

    static String ms(long ns) {
        double ms = ns / 1e6;
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0fms", ms);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1fms", ms);
        }
        return String.format(Locale.ROOT, "%.2fms", ms);
    }
}
