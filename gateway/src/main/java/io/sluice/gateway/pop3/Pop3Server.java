package io.sluice.gateway.pop3;

import io.sluice.gateway.config.GatewayConfig.Pop3Config;
import io.sluice.gateway.config.GatewayConfig.TlsConfig;
import io.sluice.net.IoDeadlines;
import io.sluice.gateway.local.LocalMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The POP3 listener: {@code pop3.bind:pop3.port} (plain, with STLS when {@code tls.keystore} is set) and
 * optionally {@code pop3.tls-port} (implicit TLS, RFC 8314). One platform-free accept loop per port on a virtual
 * thread; each connection gets its own virtual thread running a {@link Pop3Connection}.
 *
 * <p>Usage: {@code Pop3Server pop3 = new Pop3Server(config.pop3(), config.tls(), localMail).start();
 * ... pop3.close();} Port 0 binds an ephemeral port; {@link #port()} tells which.
 */
public final class Pop3Server implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Server.class);
    /** Mailbox access is slow I/O; this many concurrent sessions is plenty and bounds file descriptors. */
    static final int MAX_CONNECTIONS = 1_000;
    private static final byte[] TOO_MANY = "-ERR [SYS/TEMP] too many connections, try again later\r\n"
        .getBytes(StandardCharsets.US_ASCII);

    private final Pop3Config config;
    private final Pop3Tls tls;
    private final LocalMail local;
    /** User names with an open TRANSACTION-state session (RFC 1939 8: exclusive access to the maildrop). */
    private final Set<String> lockedMailboxes = ConcurrentHashMap.newKeySet();
    private final Semaphore permits = new Semaphore(MAX_CONNECTIONS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Idle timeouts of every session (one sweeper thread; see IoDeadlines for why not SO_TIMEOUT). */
    private final IoDeadlines deadlines = new IoDeadlines("pop3-io-deadlines");
    private final AtomicLong sessionIds = new AtomicLong();
    private ServerSocket plain;
    private ServerSocket implicitTls;
    private volatile boolean closed;

    public Pop3Server(Pop3Config pop3, TlsConfig tls, LocalMail local) {
        this.config = pop3;
        this.tls = Pop3Tls.of(tls);
        this.local = local;
    }

    /** Binds the ports and starts accepting. Returns this. */
    public Pop3Server start() throws IOException {
        InetAddress bind = InetAddress.getByName(config.bind());
        plain = bind(bind, config.port());
        Thread.ofVirtual().name("pop3-accept-" + plain.getLocalPort()).start(() -> acceptLoop(plain, false));
        if (config.tlsPort() != 0) {
            implicitTls = bind(bind, config.tlsPort());
            Thread.ofVirtual().name("pop3s-accept-" + implicitTls.getLocalPort()).start(() -> acceptLoop(implicitTls, true));
        }
        LOG.info("pop3: listening on {}:{}{}", config.bind(), plain.getLocalPort(),
            implicitTls == null ? "" : " and implicit TLS on " + implicitTls.getLocalPort());
        return this;
    }

    public int port() {
        return plain.getLocalPort();
    }

    /** The implicit-TLS port, or 0 when {@code pop3.tls-port} is 0. */
    public int tlsPort() {
        return implicitTls == null ? 0 : implicitTls.getLocalPort();
    }

    /** Stops accepting and closes open sessions (they end without UPDATE: nothing is deleted). */
    @Override
    public void close() {
        closed = true;
        closeQuietly(plain);
        closeQuietly(implicitTls);
        for (Socket s : open) {
            closeQuietly(s);
        }
        deadlines.close();
    }

    private static ServerSocket bind(InetAddress address, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(address, port), 128);
        return s;
    }

    private void acceptLoop(ServerSocket server, boolean isImplicitTls) {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("pop3: accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (!permits.tryAcquire()) {
                refuse(socket);
                continue;
            }
            String id = "pop3-" + Long.toHexString(sessionIds.incrementAndGet());
            open.add(socket);
            Thread.ofVirtual().name(id).start(() -> {
                try {
                    new Pop3Connection(id, socket, isImplicitTls, tls, local, lockedMailboxes,
                        config.plaintextOnLoopback(), config.timeout(), config.loginFailureDelay(), deadlines).run();
                } finally {
                    open.remove(socket);
                    permits.release();
                }
            });
        }
    }

    private static void refuse(Socket socket) {
        try (socket; OutputStream out = socket.getOutputStream()) {
            out.write(TOO_MANY);
        } catch (IOException ignored) {
            // refused client already gone
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down
        }
    }
}
