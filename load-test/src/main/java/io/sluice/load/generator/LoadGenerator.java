package io.sluice.load.generator;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.HdrHistogram.Histogram;

import io.sluice.load.report.HostCpu;
import io.sluice.load.report.LatencyLog;
import io.sluice.load.report.Percentiles;

/**
 * Runs one bounded generator run (messages or hold) on virtual threads and reports it. The calling thread ticks
 * the latency log and prints progress once a second until every session has finished or the hard deadline (the
 * duration cap, twice with a warm-up, plus one reply timeout) has passed. Used by {@code ./sluice load} and in
 * process by tests:
 *
 * <pre>{@code
 * LoadGenerator.Result r = new LoadGenerator(options, System.err).run();
 * r.ok(); r.accept().getValueAtPercentile(99);
 * }</pre>
 */
public final class LoadGenerator {

    /** How many hold sessions may be connecting at once: fast ramp, but within any accept backlog. */
    private static final int HOLD_CONNECT_CONCURRENCY = 200;

    /**
     * What a run did. Histograms are run totals in nanoseconds. Everything but the warm-up fields and
     * {@code connects} (sessions keep their warm-up connections) is about measured messages only.
     *
     * @param elapsedNs    from the start of the measured part (the first measured slot's intended time in the open
     *                     model, its claim in the closed model; the run's start without a warm-up) until the last
     *                     session finished
     * @param warmupOk     warm-up messages answered 250 after the dot
     * @param warmupFailed warm-up messages that failed (counted apart; never fail the run)
     * @param warmupAccept accept latency of the warm-up messages, for comparison only
     * @param host         how busy the whole machine was over the measured part (all processes); null where it
     *                     cannot be read (not Linux)
     */
    public record Result(long ok, long failed, long errors, long connects, long elapsedNs, Histogram accept,
                         Histogram service, String replyCodes, long holdEstablished, long holdSurvived,
                         long warmupOk, long warmupFailed, Histogram warmupAccept, HostCpu.Share host) {

        public double messagesPerSecond() {
            return elapsedNs > 0 ? ok * 1e9 / elapsedNs : 0;
        }
    }

    private final GeneratorOptions o;
    private final PrintStream progress;
    private final PrintStream notices;
    private final LatencyLog log;
    private final GeneratorStats stats;
    /** Warm-up outcomes; its log has no file and is ticked once at the end, so nothing of it reaches the hlog. */
    private final LatencyLog warmupLog = new LatencyLog(null);
    private final GeneratorStats warmupStats = new GeneratorStats(warmupLog);
    private volatile Schedule schedule;
    private volatile boolean warmupDone;
    /** The host's CPU counters where the measured part starts (the run's start, or the warm-up's end). */
    private volatile HostCpu hostAtMeasuredStart;

    /**
     * @param progress where the per-second progress lines (if {@code --progress on}) and the one-off notices such
     *                 as {@code load: warmup done} go, or null for none
     */
    public LoadGenerator(GeneratorOptions o, PrintStream progress) {
        this.o = o;
        this.notices = progress;
        this.progress = o.progress() ? progress : null;
        this.log = new LatencyLog(o.hlog());
        this.stats = new GeneratorStats(log);
    }

    /** Stops offering new messages (for SIGINT); in-flight messages still finish. */
    public void stop() {
        Schedule s = schedule;
        if (s != null) {
            s.stop();
        }
    }

    public Result run() throws InterruptedException {
        SSLContext tls = o.starttls() ? TrustAll.context() : null;
        long startNs = System.nanoTime();
        hostAtMeasuredStart = HostCpu.sample();
        int sessions = o.isHold() ? o.hold() : o.sessions();
        CountDownLatch done = new CountDownLatch(sessions);
        HoldSession.Counts holdCounts = new HoldSession.Counts();
        long boundNs;
        if (o.isHold()) {
            boundNs = o.durationNs();
            Semaphore permits = new Semaphore(HOLD_CONNECT_CONCURRENCY);
            for (int i = 0; i < sessions; i++) {
                Thread.ofVirtual().name("hold-" + i).start(new HoldSession(o, stats, holdCounts, permits, tls,
                        startNs + boundNs, done::countDown));
            }
        } else {
            // The warm-up may take as long as the measured part may; then the measured part gets its own bound.
            long measuredBoundNs = o.boundNs();
            boundNs = o.warmup() > 0 ? 2 * measuredBoundNs : measuredBoundNs;
            Schedule s = new Schedule(o.warmup(), o.count(), measuredBoundNs, o.ratePerSecond(), startNs,
                    measuredBoundNs);
            schedule = s;
            MessageWriter writer = new MessageWriter(o.from(), o.to(), o.size().maxBytes());
            for (int i = 0; i < sessions; i++) {
                Thread.ofVirtual().name("load-" + i).start(new SessionWorker(i, o, s, stats, warmupStats, writer,
                        tls, this::onWarmupDone, done::countDown));
            }
        }
        long hardDeadlineNs = startNs + boundNs + TimeUnit.MILLISECONDS.toNanos(o.timeoutMs()) + 10_000_000_000L;
        long nextTickNs = startNs + 1_000_000_000L;
        long lastOkAll = 0;
        boolean announcedHoldReady = false;
        long endNs;
        while (true) {
            long waitNs = Math.max(0, nextTickNs - System.nanoTime());
            if (done.await(waitNs, TimeUnit.NANOSECONDS)) {
                endNs = System.nanoTime();
                break;
            }
            long now = System.nanoTime();
            if (now - hardDeadlineNs >= 0) {
                stop();
                endNs = now;
                if (progress != null) {
                    progress.printf("load: hard deadline reached with %d sessions still busy; reporting now%n",
                            done.getCount());
                }
                break;
            }
            log.tick();
            long okAll = stats.ok.sum() + warmupStats.ok.sum();
            if (progress != null) {
                printProgress(now - startNs, okAll - lastOkAll, holdCounts);
            }
            if (o.isHold() && !announcedHoldReady && holdCounts.attempted.sum() == sessions) {
                announcedHoldReady = true;
                // Scripts wait for this line before measuring the server.
                System.out.printf("HOLD READY established=%d failed=%d after %.1f s%n",
                        holdCounts.established.sum(), holdCounts.failed.sum(), (now - startNs) / 1e9);
                System.out.flush();
            }
            lastOkAll = okAll;
            nextTickNs += 1_000_000_000L;
        }
        HostCpu hostAtEnd = HostCpu.sample();
        HostCpu hostAtStart = hostAtMeasuredStart;
        HostCpu.Share host = hostAtEnd == null || hostAtStart == null ? null : hostAtEnd.since(hostAtStart);
        log.tick();
        log.close();
        warmupLog.tick();
        Schedule s = schedule;
        long measuredStartNs = s == null ? startNs : s.measuredStartNs(endNs);
        return new Result(stats.ok.sum(), stats.failed.sum(), stats.errors(), stats.connects.sum(),
                Math.max(0, endNs - measuredStartNs), stats.accept.total().copy(), stats.service.total().copy(),
                stats.replyCodeSummary(), holdCounts.established.sum(), holdCounts.survived.sum(),
                warmupStats.ok.sum(), warmupStats.failed.sum(), warmupStats.accept.total().copy(), host);
    }

    /** Called once, by the session sending the last warm-up slot, when that slot is due. */
    private void onWarmupDone() {
        hostAtMeasuredStart = HostCpu.sample();
        warmupDone = true;
        if (notices != null) {
            // Scripts wait for this exact line to sample the server's CPU counters at the boundary.
            notices.println("load: warmup done");
            notices.flush();
        }
    }

    private void printProgress(long elapsedNs, long okInterval, HoldSession.Counts hold) {
        if (o.isHold()) {
            progress.printf(Locale.ROOT, "hold %5ds open=%-6d established=%-6d failed=%-5d dropped=%-5d noops=%d%n",
                    TimeUnit.NANOSECONDS.toSeconds(elapsedNs), stats.openSessions.get(), hold.established.sum(),
                    hold.failed.sum(), hold.dropped.sum(), hold.noops.sum());
            return;
        }
        String backlog = "";
        if (o.isOpenModel()) {
            long slots = o.count() > 0 ? o.warmup() + o.count() : Long.MAX_VALUE;
            long due = Math.min((long) (elapsedNs / 1e9 * o.ratePerSecond()), slots);
            long answered = stats.ok.sum() + stats.failed.sum() + warmupStats.ok.sum() + warmupStats.failed.sum();
            backlog = " backlog=" + Math.max(0, due - answered);
        }
        // During the warm-up, its own counters (nothing measured has happened yet); msgs/s is both together.
        boolean inWarmup = o.warmup() > 0 && !warmupDone;
        GeneratorStats shown = inWarmup ? warmupStats : stats;
        progress.printf(Locale.ROOT, "load %5ds%s msgs/s=%-7d ok=%-9d failed=%-6d errors=%-6d open=%-5d "
                        + "accept p99 interval=%s run=%s%s%n",
                TimeUnit.NANOSECONDS.toSeconds(elapsedNs), inWarmup ? " warmup" : "", okInterval, shown.ok.sum(),
                shown.failed.sum(), shown.errors(), stats.openSessions.get(),
                inWarmup ? "-" : Percentiles.p99(stats.accept.interval()),
                inWarmup ? "-" : Percentiles.p99(stats.accept.total()), backlog);
    }

    /** The summary and the RESULT line. */
    public void printSummary(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "load target=%s sessions=%d model=%s size=%s recipients=%d pipelining=%s "
                        + "starttls=%s messages-per-connection=%s%n",
                o.target().getAddress().getHostAddress() + ":" + o.target().getPort(),
                o.isHold() ? o.hold() : o.sessions(),
                o.isHold() ? "hold" : o.isOpenModel() ? "open " + (long) o.ratePerSecond() + " msgs/s" : "closed",
                o.size(), o.recipients(), o.pipelining() ? "on" : "off", o.starttls() ? "on" : "off",
                o.messagesPerConnection() == 0 ? "unlimited" : Integer.toString(o.messagesPerConnection()));
        if (o.isHold()) {
            out.printf(Locale.ROOT, "  hold: established=%d of %d, survived to the end=%d, disconnects=%d, "
                            + "errors by reply code: %s%n", r.holdEstablished(), o.hold(), r.holdSurvived(),
                    stats.disconnects.sum(), r.replyCodes());
            out.printf(Locale.ROOT, "RESULT load mode=hold sessions=%d established=%d survived=%d elapsed_s=%.3f%n",
                    o.hold(), r.holdEstablished(), r.holdSurvived(), r.elapsedNs() / 1e9);
            out.flush();
            return;
        }
        if (o.warmup() > 0) {
            out.printf(Locale.ROOT, "  warmup (left out of every figure below): sent=%d of %d ok=%d failed=%d, "
                            + "accept p99 %s%n", r.warmupOk() + r.warmupFailed(), o.warmup(), r.warmupOk(),
                    r.warmupFailed(), Percentiles.p99(r.warmupAccept()));
        }
        out.printf(Locale.ROOT, "  elapsed %.3f s%s: ok=%d failed=%d -> %.1f msgs/s accepted%n",
                r.elapsedNs() / 1e9, o.warmup() > 0 ? " after the warm-up" : "", r.ok(), r.failed(),
                r.messagesPerSecond());
        out.printf(Locale.ROOT, "  connections=%d connect_failures=%d disconnects=%d (timeouts=%d) malformed=%d%n",
                r.connects(), stats.connectFailures.sum(), stats.disconnects.sum(), stats.timeouts.sum(),
                stats.malformed.sum());
        out.println("  errors by reply code: " + r.replyCodes());
        out.println("  accept latency (" + (o.isOpenModel() ? "from intended send time" : "from MAIL")
                + " to final 250): " + Percentiles.line(r.accept()));
        out.println("  service latency (from MAIL to final 250): " + Percentiles.line(r.service()));
        if (r.host() != null) {
            // Generator, server and sink usually share this machine: a busy host explains a tail by itself.
            out.printf(Locale.ROOT, "  host cpu over the measured part (all processes, all cpus): busy %.1f%%, "
                    + "stolen by the hypervisor %.1f%%%n", r.host().busyPct(), r.host().stealPct());
        }
        out.printf(Locale.ROOT, "RESULT load ok=%d failed=%d errors=%d warmup=%d warmup_failed=%d elapsed_s=%.3f "
                        + "msgs_per_s=%.1f %s %s%s%n", r.ok(), r.failed(), r.errors(), o.warmup(), r.warmupFailed(),
                r.elapsedNs() / 1e9, r.messagesPerSecond(),
                Percentiles.keyValues("accept", r.accept()), Percentiles.keyValues("service", r.service()),
                r.host() == null ? "" : " " + r.host().keyValues());
        out.flush();
    }
}
