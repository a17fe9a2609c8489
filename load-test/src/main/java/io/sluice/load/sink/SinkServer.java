package io.sluice.load.sink;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import io.sluice.load.report.LatencyLog;

/**
 * Accepts SMTP connections on a loopback address and runs each as a {@link SinkConnection} on its own virtual
 * thread. Used by {@code ./sluice sink} and, in process, by tests.
 *
 * <pre>{@code
 * try (LatencyLog log = new LatencyLog(null);
 *      SinkServer sink = SinkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log)) {
 *     int port = sink.port();
 *     ...
 *     sink.stats().messages();
 * }
 * }</pre>
 */
public final class SinkServer implements AutoCloseable {

    /** Large enough for the 10,000-session hold test to connect in a burst without SYN drops. */
    private static final int BACKLOG = 16_384;

    private final ServerSocket server;
    private final SinkStats stats;
    private final double rejectFraction;
    private final int rejectCode;
    private final int idleTimeoutMs;
    private final boolean chunking;
    private final long replyDelayNs;
    private final Thread acceptor;
    private volatile boolean closed;

    private SinkServer(ServerSocket server, SinkStats stats, double rejectFraction, int rejectCode,
                       int idleTimeoutMs, boolean chunking, long replyDelayNs) {
        this.server = server;
        this.stats = stats;
        this.rejectFraction = rejectFraction;
        this.rejectCode = rejectCode;
        this.idleTimeoutMs = idleTimeoutMs;
        this.chunking = chunking;
        this.replyDelayNs = replyDelayNs;
        this.acceptor = Thread.ofPlatform().name("sink-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Binds and starts accepting.
     *
     * @param log      where the end-to-end latency series ("e2e") is registered; the caller ticks it
     * @param chunking     advertise CHUNKING and accept BDAT (RFC 3030); off, BDAT is an unknown command
     * @param replyDelayNs hold each batch of replies this long before sending it (a distant server); 0: none
     */
    public static SinkServer start(InetSocketAddress listen, LatencyLog log, double rejectFraction, int rejectCode,
                                   int idleTimeoutMs, boolean chunking, long replyDelayNs) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(listen, BACKLOG);
        SinkServer s = new SinkServer(ss, new SinkStats(log), rejectFraction, rejectCode, idleTimeoutMs, chunking,
            replyDelayNs);
        s.acceptor.start();
        return s;
    }

    /** As {@link #start(InetSocketAddress, LatencyLog, double, int, int, boolean, long)}: CHUNKING on, no delay. */
    public static SinkServer start(InetSocketAddress listen, LatencyLog log, double rejectFraction, int rejectCode,
                                   int idleTimeoutMs) throws IOException {
        return start(listen, log, rejectFraction, rejectCode, idleTimeoutMs, true, 0);
    }

    public static SinkServer start(InetSocketAddress listen, LatencyLog log) throws IOException {
        return start(listen, log, 0, 450, 600_000);
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public SinkStats stats() {
        return stats;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // EMFILE and friends: back off briefly instead of spinning, keep serving.
                stats.protocolErrors.increment();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            Thread.ofVirtual().name("sink-conn").start(new SinkConnection(s, stats, rejectFraction, rejectCode,
                idleTimeoutMs, chunking, replyDelayNs));
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do: we are shutting down
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
