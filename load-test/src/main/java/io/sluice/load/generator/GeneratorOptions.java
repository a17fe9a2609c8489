package io.sluice.load.generator;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

import io.sluice.load.cli.Args;
import io.sluice.load.cli.Loopback;
import io.sluice.load.cli.Units;
import io.sluice.load.cli.UsageException;

/**
 * What {@code ./sluice load} was asked to do. Every run is bounded: a message run needs {@code --count} or
 * {@code --duration} (both capped, whichever comes first ends it), a hold run needs {@code --duration}.
 *
 * @param target                loopback address of the server under test
 * @param sessions              concurrent connections
 * @param messagesPerConnection messages before QUIT and a new connection; 0 = keep the connection for the run
 * @param recipients            RCPTs per message
 * @param size                  message size distribution
 * @param pipelining            send MAIL/RCPT/DATA as one group (RFC 2920) when the server offers it
 * @param starttls              STARTTLS after EHLO, trusting any certificate (test servers are self-signed)
 * @param durationNs            stop offering new messages after this long; 0 = count only
 * @param count                 measured messages; 0 = duration only
 * @param warmup                messages sent first and left out of every figure (0 = none)
 * @param ratePerSecond         open model at this rate; 0 = closed model
 * @param from                  envelope sender
 * @param to                    envelope recipient; with several recipients the 2nd.. get "+N" on the local part
 * @param hold                  hold mode: open this many idle sessions instead of sending mail
 * @param noopIntervalNs        hold mode: NOOP this often per session
 * @param hlog                  HdrHistogram interval log, or null
 * @param timeoutMs             connect and per-reply timeout
 * @param ehloName              name sent in EHLO
 * @param progress              one progress line per second on stderr
 */
public record GeneratorOptions(InetSocketAddress target, int sessions, int messagesPerConnection, int recipients,
                               SizeDistribution size, boolean pipelining, boolean starttls, long durationNs,
                               long count, long warmup, double ratePerSecond, String from, String to, int hold,
                               long noopIntervalNs, Path hlog, int timeoutMs, String ehloName, boolean progress) {

    static final Set<String> KNOWN = Set.of("target", "sessions", "messages-per-connection", "recipients", "size",
            "pipelining", "starttls", "duration", "count", "warmup", "rate", "from", "to", "hold", "noop-interval",
            "hlog", "timeout", "ehlo", "progress");

    /** Caps: a forgotten run must end by itself, in at most two hours. */
    public static final long MAX_DURATION_NS = 2L * 3600 * 1_000_000_000L;
    public static final long MAX_COUNT = 100_000_000L;
    /** When only --count is given, the run still ends after this long. */
    public static final long COUNT_ONLY_DEADLINE_NS = 3600L * 1_000_000_000L;
    public static final int MAX_SESSIONS = 50_000;

    public static final String USAGE = """
            usage: ./sluice load --target 127.0.0.1:PORT (--count N | --duration D) [options]
                   ./sluice load --target 127.0.0.1:PORT --hold N --duration D [--noop-interval D]
              --target HOST:PORT           server under test; loopback only (127.0.0.0/8, ::1, localhost)
              --sessions N                 concurrent connections (default 10, max 50000)
              --messages-per-connection N  QUIT and reconnect after N messages (default 0: keep the connection)
              --recipients N               RCPTs per message (default 1)
              --size S | MIN-MAX           message size, e.g. 5k (default) or 1k-100k (uniform)
              --pipelining on|off          MAIL/RCPT/DATA in one group when offered (default on)
              --starttls on|off            STARTTLS, trusting any certificate (default off)
              --count N                    measured messages (max 100m); ends the run when all are answered
              --duration D                 offer messages for D (e.g. 60s, 10m; max 2h); in-flight ones finish
              --warmup N                   send N messages first, same sessions and schedule, and leave them out
                                           of every figure (default 0; JIT warm-up of the server under test);
                                           --count and --duration then count from the end of the warm-up, and
                                           'load: warmup done' goes to stderr when the last one is sent
              --rate R                     open model: R msgs/s on a fixed schedule, latency from the intended
                                           send time; without it, closed model (as fast as replies come)
              --from ADDR --to ADDR        envelope (default load@load.sluice.test, sink@sink.sluice.test)
              --hold N                     open N sessions (EHLO, then idle with a NOOP every --noop-interval,
                                           default 30s) for --duration; reports how many stayed open
              --hlog FILE                  HdrHistogram interval log (accept and service latency)
              --timeout D                  connect and per-reply timeout (default 60s)
              --ehlo NAME                  EHLO name (default load.sluice.test)
              --progress on|off            progress line each second on stderr (default on)
            Prints a summary and a 'RESULT load key=value ...' line on stdout. Accept latency runs from the
            intended send time (open) or MAIL (closed) to the 250 after the final dot; service latency from MAIL.""";

    public boolean isOpenModel() {
        return ratePerSecond > 0;
    }

    /**
     * How long the measured part may offer messages: {@code --duration}, or {@link #COUNT_ONLY_DEADLINE_NS}. The
     * warm-up gets at most as long again, so a run with a warm-up is bounded by twice this plus the reply timeout.
     */
    public long boundNs() {
        return durationNs > 0 ? durationNs : COUNT_ONLY_DEADLINE_NS;
    }

    public boolean isHold() {
        return hold > 0;
    }

    /** @return null when --help was asked for */
    public static GeneratorOptions parse(String[] argv, int from) {
        Args a = new Args(argv, from, KNOWN);
        if (a.wantsHelp()) {
            return null;
        }
        if (!a.has("target")) {
            throw new UsageException("--target HOST:PORT is required (loopback only)");
        }
        InetSocketAddress target = Loopback.parse(a.string("target", ""), "--target", false);
        int hold = a.intValue("hold", 0, 1, MAX_SESSIONS);
        long durationNs = a.durationNs("duration", 0, 1_000_000_000L, MAX_DURATION_NS);
        long count = a.longValue("count", 0, 1, MAX_COUNT);
        long warmup = a.longValue("warmup", 0, 0, MAX_COUNT);
        if (hold > 0) {
            if (durationNs == 0) {
                throw new UsageException("--hold needs --duration (how long to keep the sessions open)");
            }
            if (a.has("count") || a.has("rate") || a.has("warmup")) {
                throw new UsageException("--hold sends no mail: --count, --rate and --warmup do not apply");
            }
        } else if (durationNs == 0 && count == 0) {
            throw new UsageException("a run must be bounded: give --count N or --duration D (or both)");
        }
        double rate = 0;
        if (a.has("rate")) {
            rate = a.longValue("rate", 0, 1, 1_000_000);
        }
        long boundNs = durationNs > 0 ? durationNs : COUNT_ONLY_DEADLINE_NS; // boundNs(), before the record exists
        if (rate > 0 && warmup / rate * 1e9 > boundNs) {
            // The open model's warm-up takes exactly warmup/rate; say so now rather than cut it short later.
            throw new UsageException("--warmup " + warmup + " at --rate " + (long) rate + " takes "
                    + Units.formatDuration((long) (warmup / rate * 1e9)) + ", longer than the run's bound of "
                    + Units.formatDuration(boundNs) + " (--duration, or 1h with --count only)");
        }
        int sessions = a.intValue("sessions", 10, 1, MAX_SESSIONS);
        String fromAddr = a.string("from", "load@load.sluice.test");
        String toAddr = a.string("to", "sink@sink.sluice.test");
        checkAddress(fromAddr, "--from", true);
        checkAddress(toAddr, "--to", false);
        return new GeneratorOptions(target, sessions, a.intValue("messages-per-connection", 0, 0, 1_000_000),
                a.intValue("recipients", 1, 1, 1000), SizeDistribution.parse(a.string("size", "5k")),
                a.onOff("pipelining", true), a.onOff("starttls", false), durationNs, count, warmup, rate, fromAddr,
                toAddr,
                hold, a.durationNs("noop-interval", 30_000_000_000L, 100_000_000L, 3_600_000_000_000L),
                a.has("hlog") ? Path.of(a.string("hlog", "")) : null,
                (int) (a.durationNs("timeout", 60_000_000_000L, 100_000_000L, 600_000_000_000L) / 1_000_000),
                a.string("ehlo", "load.sluice.test"), a.onOff("progress", true));
    }

    private static void checkAddress(String addr, String what, boolean mayBeEmpty) {
        if (addr.isEmpty() && mayBeEmpty) {
            return;
        }
        boolean ok = addr.length() <= 254 && addr.indexOf('@') > 0 && addr.indexOf('@') < addr.length() - 1;
        for (int i = 0; ok && i < addr.length(); i++) {
            char c = addr.charAt(i);
            ok = c > ' ' && c < 127 && c != '<' && c != '>';
        }
        if (!ok) {
            throw new UsageException(what + " must be a plain address like user@example.com, got '" + addr + "'");
        }
    }
}
