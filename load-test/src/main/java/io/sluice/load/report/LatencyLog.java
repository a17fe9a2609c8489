package io.sluice.load.report;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * A set of named latency series (for example "accept" and "service"), each a {@link Recorder}. Any thread records
 * with {@link Series#recordNs(long)}; one reporting thread calls {@link #tick()} once per interval, which swaps the
 * interval histograms (recycling the previous ones, so steady state does not allocate), adds them to the run
 * totals and appends them to the interval log if there is one.
 *
 * <pre>{@code
 * LatencyLog log = new LatencyLog(Path.of("run.hlog"));      // or null: no file
 * LatencyLog.Series accept = log.series("accept");
 * accept.recordNs(System.nanoTime() - intendedNs);           // any virtual thread
 * log.tick();                                                 // the progress thread, every second
 * accept.total().getValueAtPercentile(99.0);
 * }</pre>
 *
 * Values are nanoseconds, tracked up to one hour with 3 significant digits; larger values are clamped to the
 * maximum and counted as such rather than thrown away, so a stall is still visible.
 */
public final class LatencyLog implements AutoCloseable {

    /** Largest value tracked: one hour. A run is bounded well below that. */
    public static final long HIGHEST_NS = TimeUnit.HOURS.toNanos(1);

    private final List<Series> series = new ArrayList<>();
    private final HistogramLogWriter writer;
    private final PrintStream file;
    private final long startEpochMs;

    /** @param hlog interval log file, or null for none */
    public LatencyLog(Path hlog) {
        this.startEpochMs = System.currentTimeMillis();
        if (hlog == null) {
            this.file = null;
            this.writer = null;
        } else {
            try {
                this.file = new PrintStream(hlog.toFile(), java.nio.charset.StandardCharsets.US_ASCII);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot write histogram log " + hlog + ": " + e.getMessage(), e);
            }
            this.writer = new HistogramLogWriter(file);
            writer.outputLogFormatVersion();
            writer.outputComment("Sluice load-test latency log; values in nanoseconds; tags name the series");
            writer.outputStartTime(startEpochMs);
            writer.setBaseTime(startEpochMs);
            writer.outputLegend();
        }
    }

    /** Registers a series; call before recording starts. */
    public Series series(String name) {
        Series s = new Series(name);
        series.add(s);
        return s;
    }

    /** Ends the current interval for every series: called by one thread only. */
    public void tick() {
        for (Series s : series) {
            s.swap();
            if (writer != null && s.interval.getTotalCount() > 0) {
                s.interval.setTag(s.name);
                writer.outputIntervalHistogram(s.interval);
            }
        }
        if (file != null) {
            file.flush();
        }
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }

    /** One measured quantity. {@link #recordNs} is wait-free and does not allocate. */
    public static final class Series {
        private final String name;
        private final Recorder recorder = new Recorder(HIGHEST_NS, 3);
        private final Histogram total = new Histogram(HIGHEST_NS, 3);
        private Histogram interval;

        Series(String name) {
            this.name = name;
        }

        public void recordNs(long ns) {
            recorder.recordValue(Math.max(0, Math.min(ns, HIGHEST_NS)));
        }

        void swap() {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
        }

        public String name() {
            return name;
        }

        /** The last completed interval (valid until the next tick). */
        public Histogram interval() {
            return interval;
        }

        /** Everything recorded up to the last tick. */
        public Histogram total() {
            return total;
        }
    }
}
