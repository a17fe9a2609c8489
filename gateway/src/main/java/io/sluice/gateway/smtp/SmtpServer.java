package io.sluice.gateway.smtp;

import io.sluice.gateway.config.GatewayConfig;
import io.sluice.net.IoDeadlines;
import io.sluice.gateway.local.LocalDirectory;
import io.sluice.gateway.smtp.policy.ClientCheck;
import io.sluice.gateway.smtp.policy.Verdict;
import io.sluice.gateway.status.GatewayCounter;
import io.sluice.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SMTP listener: accepts on {@code smtp.port} (and {@code smtp.tls-port} with implicit TLS, RFC 8314) and runs
 * each connection on its own virtual thread named after its session id. A connection permit is taken before
 * {@code accept()} and released when the connection ends; the permits exceed {@code smtp.max-connections} by a few
 * spares so that a client over a limit gets {@code 421 4.7.0} instead of hanging in the backlog.
 *
 * <p>Usage:
 * <pre>{@code
 * SmtpServer smtp = new SmtpServer(cfg.hostname(), cfg.smtp(), cfg.tls(), cfg.relay(), spool, directory);
 * smtp.start();          // binds; port 0 picks a free port, see port()
 * ...
 * smtp.close();          // stop accepting; DATA in progress gets a grace period; others get 421 4.3.2
 * }</pre>
 * {@code start} and {@code close} are called by one owner thread; everything else runs on the server's threads.
 */
public final class SmtpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);
    /** Over-limit clients are answered on these spare permits. */
    private static final int SPARE_PERMITS = 16;
    private static final long DATA_GRACE_MS = 5_000;
    private static final AtomicLong SESSION_IDS = new AtomicLong();

    private final SmtpSettings settings;
    private final GatewayConfig.SmtpConfig smtp;
    private final GatewayConfig.TlsConfig tls;
    private final ClientCheck clientCheck;
    private final Semaphore permits;
    private final Set<SmtpConnection> connections = ConcurrentHashMap.newKeySet();
    /** Read timeouts of every session (one sweeper thread; see IoDeadlines for why not SO_TIMEOUT). */
    private final IoDeadlines deadlines = new IoDeadlines("smtp-io-deadlines");
    private volatile boolean closing;
    private SSLContext sslContext;
    private ServerSocketChannel plain;
    private ServerSocketChannel implicitTls;
    private Thread plainAcceptor;
    private Thread tlsAcceptor;

    public SmtpServer(String hostname, GatewayConfig.SmtpConfig smtp, GatewayConfig.TlsConfig tls,
                      GatewayConfig.RelayConfig relay, Spool spool, LocalDirectory directory) {
        this.smtp = smtp;
        this.tls = tls;
        this.settings = new SmtpSettings(hostname, smtp, tls.isConfigured(), relay, directory, spool);
        this.clientCheck = new ClientCheck(smtp.maxConnections(), smtp.maxConnectionsPerClient());
        this.permits = new Semaphore(smtp.maxConnections() + SPARE_PERMITS);
    }

    /** Loads the keystore and binds the listeners. Throws UncheckedIOException when a port cannot be bound. */
    public void start() {
        try {
            if (tls.isConfigured()) {
                sslContext = tls.loadServerContext();
                warmUpTls(sslContext);
            }
            plain = bind(smtp.port());
            plainAcceptor = Thread.ofPlatform().name("smtp-accept-" + port()).daemon().start(() -> acceptLoop(plain, false));
            if (smtp.tlsPort() != 0) {
                implicitTls = bind(smtp.tlsPort());
                tlsAcceptor = Thread.ofPlatform().name("smtps-accept-" + tlsPort()).daemon().start(() -> acceptLoop(implicitTls, true));
            }
            LOG.info("SMTP listening on {}:{}{}", smtp.bind(), port(), implicitTls != null ? " and implicit TLS on " + tlsPort() : "");
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("smtp: cannot listen on " + smtp.bind() + ":" + smtp.port(), e);
        }
    }

    /** Starts implicit TLS on an ephemeral port even though smtp.tls-port is 0 (tests). */
    void startImplicitTlsOnAnyPort() throws IOException {
        implicitTls = bind(0);
        tlsAcceptor = Thread.ofPlatform().name("smtps-accept-" + tlsPort()).daemon().start(() -> acceptLoop(implicitTls, true));
    }

    public int port() {
        return localPort(plain);
    }

    /** The implicit-TLS port, or 0 when not listening. */
    public int tlsPort() {
        return localPort(implicitTls);
    }

    boolean isClosing() {
        return closing;
    }

    IoDeadlines deadlines() {
        return deadlines;
    }

    /** Connections currently open (for tests and status). */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops accepting, lets sessions in DATA finish for up to a few seconds, tells the others 421 4.3.2 and closes
     * them. Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        closeQuietly(plain);
        closeQuietly(implicitTls);
        for (SmtpConnection c : connections) {
            if (!c.isInData()) {
                c.wake();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DATA_GRACE_MS);
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            for (SmtpConnection c : connections) {
                if (!c.isInData()) {
                    c.wake();
                }
            }
            sleepQuietly(20);
        }
        for (SmtpConnection c : connections) {
            c.wake();
        }
        long hardDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!connections.isEmpty() && System.nanoTime() < hardDeadline) {
            sleepQuietly(10);
        }
        // An acceptor may be parked on the permit semaphore (every permit in use) rather than in accept().
        interrupt(plainAcceptor);
        interrupt(tlsAcceptor);
        joinQuietly(plainAcceptor);
        joinQuietly(tlsAcceptor);
        deadlines.close();
    }

    private ServerSocketChannel bind(int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(smtp.bind(), port), 1024);
        return ch;
    }

    private void acceptLoop(ServerSocketChannel listener, boolean tlsOnConnect) {
        while (!closing) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                return; // shutdown
            }
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                permits.release();
                return;
            } catch (IOException e) {
                permits.release();
                LOG.warn("smtp accept failed: {}", e.toString());
                sleepQuietly(10); // e.g. out of file descriptors: do not spin
                continue;
            }
            try {
                dispatch(ch, tlsOnConnect);
            } catch (RuntimeException | Error e) {
                permits.release();
                closeQuietly(ch);
                LOG.error("smtp: cannot start a session thread", e);
            }
        }
    }

    private void dispatch(SocketChannel ch, boolean tlsOnConnect) {
        Socket socket = ch.socket();
        String id = String.format("S%06x", SESSION_IDS.incrementAndGet());
        Verdict verdict = clientCheck.onConnect(socket.getInetAddress());
        Thread.ofVirtual().name(id).start(() -> {
            try {
                if (!verdict.isAccepted()) {
                    GatewayCounter.SMTP_CONNECTIONS_REFUSED.increment();
                    refuse(socket, verdict.reply());
                    return;
                }
                GatewayCounter.SMTP_CONNECTIONS_ACCEPTED.increment();
                SmtpConnection c = new SmtpConnection(this, settings, id, socket, sslContext, tlsOnConnect);
                connections.add(c);
                try {
                    if (closing) {
                        c.wake();
                    }
                    c.run();
                } finally {
                    connections.remove(c);
                    clientCheck.release(socket.getInetAddress());
                }
            } finally {
                permits.release();
            }
        });
    }

    /** 421 over a limit. Plaintext even on the TLS port: no handshake is spent on a client we turn away. */
    private static void refuse(Socket socket, Reply reply) {
        try (socket) {
            socket.getOutputStream().write(reply.wire());
            socket.getOutputStream().flush();
        } catch (IOException ignored) {
            // gone already
        }
    }

    /**
     * Initializes the JDK's TLS socket classes on this (platform) thread. Otherwise the first sessions to STARTTLS
     * initialize them on virtual threads, and a session that waits for a class another thread is initializing pins
     * its carrier (JFR jdk.VirtualThreadPinned, "Waited for initialization", measured in VirtualThreadPinningTest).
     */
    private static void warmUpTls(SSLContext ctx) throws IOException {
        try (java.net.Socket unconnected = ctx.getSocketFactory().createSocket()) {
            ctx.createSSLEngine().setUseClientMode(false);
            assert unconnected != null;
        }
    }

    private static int localPort(ServerSocketChannel ch) {
        return ch == null ? 0 : ch.socket().getLocalPort();
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void interrupt(Thread t) {
        if (t != null) {
            t.interrupt();
        }
    }

    private static void joinQuietly(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
