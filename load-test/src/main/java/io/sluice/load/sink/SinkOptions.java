package io.sluice.load.sink;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

import io.sluice.load.cli.Args;
import io.sluice.load.cli.Loopback;
import io.sluice.load.cli.UsageException;

/**
 * What {@code ./sluice sink} was asked to do.
 *
 * @param listen           loopback address and port to bind (port 0: any free port, printed at start)
 * @param durationNs       exit after this long; 0 = until SIGINT or {@code expect}
 * @param expectMessages   exit as soon as this many messages have arrived; 0 = no such limit
 * @param hlog             HdrHistogram interval log of end-to-end latency, or null
 * @param rcptRejectFraction fraction of RCPTs answered with {@code rejectCode} instead of 250
 * @param rejectCode       450 (temporary) or 550 (permanent)
 * @param idleTimeoutMs    a connection silent this long is closed
 * @param progress         print a progress line each second
 * @param chunking         advertise CHUNKING and take BDAT (RFC 3030); off, BDAT is answered as unknown (502)
 * @param replyDelayNs     hold each batch of replies this long before sending it, as a server one round trip
 *                         away would be seen (0: none)
 */
public record SinkOptions(InetSocketAddress listen, long durationNs, long expectMessages, Path hlog,
                          double rcptRejectFraction, int rejectCode, int idleTimeoutMs, boolean progress,
                          boolean chunking, long replyDelayNs) {

    static final Set<String> KNOWN = Set.of("listen", "duration", "expect", "hlog", "reject-rcpt-fraction",
            "reject-code", "idle-timeout", "progress", "chunking", "reply-delay");

    /** Longest a sink may run: it is a test tool and must stop by itself even if forgotten. */
    static final long MAX_DURATION_NS = 24L * 3600 * 1_000_000_000L;

    public static final String USAGE = """
            usage: ./sluice sink --listen 127.0.0.1:PORT [options]
              --listen HOST:PORT        loopback address to listen on (127.0.0.0/8, ::1, localhost; port 0 = any)
              --duration D              exit after D (e.g. 90s, 10m); default: until SIGINT or --expect
              --expect N                exit once N measured messages have arrived (cap the wait with --duration)
              --hlog FILE               write end-to-end latency intervals (HdrHistogram log)
              --reject-rcpt-fraction F  answer this fraction of RCPTs with --reject-code (default 0)
              --reject-code 450|550     default 450
              --idle-timeout D          close connections silent this long (default 10m)
              --progress on|off         one progress line per second on stderr (default on)
              --chunking on|off         advertise CHUNKING and take BDAT, RFC 3030 (default on; off: BDAT gets 502)
              --reply-delay D           hold each batch of replies D (e.g. 20ms) before sending it: a server one
                                        round trip away, for per-connection rates over a WAN (default 0, max 10s)
            The sink reads the X-Sluice-Load-Ts header (epoch nanoseconds, set by ./sluice load) for end-to-end
            latency, and prints a summary plus a 'RESULT sink key=value ...' line on stdout when it stops.
            Warm-up messages (X-Sluice-Load-Wu, from ./sluice load --warmup) are counted as warmup=N and left out
            of --expect, msgs/s, bytes, latency and cpu_s (process CPU from the first measured message on).""";

    public static SinkOptions parse(String[] argv, int from) {
        Args a = new Args(argv, from, KNOWN);
        if (a.wantsHelp()) {
            return null;
        }
        if (!a.has("listen")) {
            throw new UsageException("--listen HOST:PORT is required");
        }
        InetSocketAddress listen = Loopback.parse(a.string("listen", ""), "--listen", true);
        long durationNs = a.durationNs("duration", 0, 1_000_000_000L, MAX_DURATION_NS);
        long expect = a.longValue("expect", 0, 1, 1_000_000_000L);
        String hlog = a.string("hlog", null);
        double fraction = a.fraction("reject-rcpt-fraction", 0);
        int code = a.intValue("reject-code", 450, 400, 599);
        if (code != 450 && code != 550) {
            throw new UsageException("--reject-code must be 450 or 550");
        }
        long idleNs = a.durationNs("idle-timeout", 600_000_000_000L, 1_000_000_000L, 3_600_000_000_000L);
        long replyDelayNs = a.durationNs("reply-delay", 0, 0, 10_000_000_000L);
        return new SinkOptions(listen, durationNs, expect, hlog == null ? null : Path.of(hlog), fraction, code,
                (int) (idleNs / 1_000_000), a.onOff("progress", true), a.onOff("chunking", true), replyDelayNs);
    }
}
