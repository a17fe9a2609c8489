package io.sluice.load.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.load.report.LatencyLog;
import io.sluice.load.report.WallClock;
import io.sluice.load.sink.SinkServer;

/**
 * {@code --warmup}: the generator and the sink in one JVM over loopback. Warm-up messages are really sent and
 * really arrive, and are left out of every figure on both sides.
 */
@Timeout(120)
class WarmupTest {

    private static GeneratorOptions options(int port, String... extra) {
        List<String> args = new ArrayList<>(List.of("--target", "127.0.0.1:" + port, "--progress", "off",
                "--timeout", "30s"));
        args.addAll(List.of(extra));
        return GeneratorOptions.parse(args.toArray(String[]::new), 0);
    }

    private static SinkServer sink(LatencyLog log) throws Exception {
        return SinkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log);
    }

    @Test
    void shouldSendWarmupPlusCountAndLeaveTheWarmupOutOfEveryFigure(@TempDir Path dir) throws Exception {
        Path hlog = dir.resolve("run.hlog");
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = sink(log)) {
            GeneratorOptions o = options(sink.port(), "--sessions", "6", "--count", "300", "--warmup", "200",
                    "--size", "5k", "--hlog", hlog.toString());
            LoadGenerator g = new LoadGenerator(o, null);
            LoadGenerator.Result r = g.run();
            log.tick();

            assertEquals(300, r.ok(), "measured ok, reply codes " + r.replyCodes());
            assertEquals(0, r.failed());
            assertEquals(200, r.warmupOk());
            assertEquals(0, r.warmupFailed());
            assertEquals(300, r.accept().getTotalCount(), "accept histogram holds measured messages only");
            assertEquals(300, r.service().getTotalCount(), "service histogram holds measured messages only");
            assertEquals(200, r.warmupAccept().getTotalCount());

            assertEquals(300, sink.stats().messages(), "the sink counts measured messages only");
            assertEquals(200, sink.stats().warmupMessages(), "every warm-up message arrived, counted apart");
            assertEquals(300, sink.stats().endToEnd().total().getTotalCount(), "e2e: measured messages only");
            long perMessage = sink.stats().bytes() / 300;
            assertTrue(Math.abs(perMessage + 3 - 5120) <= 16, "bytes are the measured messages' only: " + perMessage);

            assertEquals(300, hlogCount(hlog, "accept"), "the hlog holds measured messages only");
            assertEquals(300, hlogCount(hlog, "service"));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            g.printSummary(r, new PrintStream(out, true, StandardCharsets.US_ASCII));
            String summary = out.toString(StandardCharsets.US_ASCII);
            assertTrue(summary.contains("warmup (left out of every figure below): sent=200 of 200 ok=200 failed=0"),
                    summary);
            String result = summary.lines().filter(l -> l.startsWith("RESULT load ")).findFirst().orElseThrow();
            assertTrue(result.contains(" ok=300 ") && result.contains(" warmup=200 ")
                    && result.contains(" accept_n=300"), result);
            if (Files.exists(Path.of("/proc/stat"))) {
                assertNotNull(r.host(), "Linux: the host's CPU use over the measured part");
                assertTrue(r.host().busyPct() > 0 && r.host().busyPct() <= 100, "busy " + r.host().busyPct());
                assertTrue(summary.contains("host cpu over the measured part"), summary);
                assertTrue(result.matches(".* host_busy_pct=\\d+\\.\\d host_steal_pct=\\d+\\.\\d$"), result);
            }
        }
    }

    @Test
    void shouldKeepTheOpenScheduleAcrossTheWarmupBoundary() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = sink(log)) {
            GeneratorOptions o = options(sink.port(), "--sessions", "4", "--count", "100", "--warmup", "100",
                    "--rate", "400");
            long t0Epoch = WallClock.epochNs();
            long t0 = System.nanoTime();
            LoadGenerator.Result r = new LoadGenerator(o, null).run();
            long wallNs = System.nanoTime() - t0;
            log.tick();
            assertEquals(100, r.ok(), "reply codes " + r.replyCodes());
            assertEquals(100, r.warmupOk());
            assertEquals(100, sink.stats().messages());
            assertEquals(100, sink.stats().warmupMessages());
            // Slot 100 (the first measured one) is due 100/400 s = 250 ms after the start, on the same schedule as
            // the warm-up: the sink's window starts there, not at the run's start and not later.
            long firstMeasuredNs = sink.stats().firstInjectEpochNs() - t0Epoch;
            assertTrue(firstMeasuredNs >= 249_000_000L && firstMeasuredNs < 250_000_000L + (wallNs - 497_500_000L),
                    "first measured injection " + firstMeasuredNs + " ns after the start, run took " + wallNs);
            // The generator's clock starts there too: 250 ms after the run's start.
            assertTrue(wallNs - r.elapsedNs() >= 249_000_000L,
                    "measured elapsed " + r.elapsedNs() + " of a run of " + wallNs);
            // and the measured part still spans its 100 slots: 99 / 400 s from first to last due time.
            assertTrue(r.elapsedNs() >= 247_000_000L, "measured elapsed " + r.elapsedNs());
            assertEquals(100, r.accept().getTotalCount());
        }
    }

    @Test
    void shouldAnnounceTheEndOfTheWarmupOnceEvenWithProgressOff() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = sink(log)) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream notices = new PrintStream(err, true, StandardCharsets.US_ASCII);
            LoadGenerator.Result r = new LoadGenerator(options(sink.port(), "--sessions", "5", "--count", "50",
                    "--warmup", "60"), notices).run();
            assertEquals(50, r.ok());
            assertEquals(List.of("load: warmup done"), err.toString(StandardCharsets.US_ASCII).lines().toList());

            ByteArrayOutputStream none = new ByteArrayOutputStream();
            LoadGenerator.Result plain = new LoadGenerator(options(sink.port(), "--sessions", "5", "--count", "50"),
                    new PrintStream(none, true, StandardCharsets.US_ASCII)).run();
            assertEquals(50, plain.ok());
            assertEquals(0, plain.warmupOk());
            assertEquals("", none.toString(StandardCharsets.US_ASCII), "no warm-up, no notice");
            assertEquals(100, sink.stats().messages());
            assertEquals(60, sink.stats().warmupMessages());
        }
    }

    @Test
    void shouldStartTheClosedModelsClockAtTheWarmupBoundary() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = sink(log)) {
            long[] noticeNs = {0};
            PrintStream notices = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.US_ASCII) {
                @Override
                public void println(String line) {
                    noticeNs[0] = System.nanoTime();
                    super.println(line);
                }
            };
            long t0 = System.nanoTime();
            LoadGenerator.Result r = new LoadGenerator(options(sink.port(), "--sessions", "2", "--count", "100",
                    "--warmup", "300", "--pipelining", "off"), notices).run();
            long t1 = System.nanoTime();
            assertEquals(100, r.ok());
            assertEquals(300, r.warmupOk());
            assertTrue(noticeNs[0] > t0, "the boundary was announced");
            // The first measured slot is claimed after the last warm-up slot, whose claim the notice follows at
            // once: the measured clock runs from about the notice, not from the run's start (t0).
            long warmupNs = noticeNs[0] - t0;
            assertTrue(r.elapsedNs() > 0 && r.elapsedNs() <= t1 - noticeNs[0] + warmupNs / 2,
                    "measured " + r.elapsedNs() + " ns; warm-up took " + warmupNs + ", the rest " + (t1 - noticeNs[0]));
        }
    }

    private static long hlogCount(Path hlog, String tag) throws Exception {
        assertTrue(Files.size(hlog) > 0);
        long n = 0;
        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        EncodableHistogram h;
        while ((h = reader.nextIntervalHistogram()) != null) {
            if (tag.equals(h.getTag())) {
                n += ((org.HdrHistogram.Histogram) h).getTotalCount();
            }
        }
        reader.close();
        return n;
    }
}
