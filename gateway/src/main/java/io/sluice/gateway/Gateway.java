package io.sluice.gateway;

import io.sluice.gateway.config.GatewayConfig;
import io.sluice.gateway.delivery.DeliveryAgent;
import io.sluice.gateway.local.LocalMail;
import io.sluice.gateway.pop3.Pop3Server;
import io.sluice.gateway.smtp.SmtpServer;
import io.sluice.spool.Spool;
import io.sluice.spool.chronicle.ChronicleSpool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The whole gateway, wired from one {@link GatewayConfig}: spool, local mail, delivery, SMTP and POP3.
 *
 * <p>Start order follows the data path backwards, so nothing accepts work it cannot hand on: the spool first (it
 * replays what a previous run left), then local mail and delivery (which start draining the spool), then the
 * listeners. {@link #close()} reverses it: stop accepting, let sessions in flight finish or refuse them cleanly,
 * stop delivery (in-flight recipients are retried after restart: at-least-once), and close the spool last so
 * every commit in flight completes.
 *
 * <p>Called from the main thread (start) and the shutdown hook (close); close is idempotent.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private Spool spool;
    private LocalMail localMail;
    private DeliveryAgent delivery;
    private SmtpServer smtp;
    private Pop3Server pop3;
    private boolean closed;

    public Gateway(GatewayConfig config) {
        this.config = config;
    }

    /** Opens the spool and binds the listeners; throws UncheckedIOException when a port or file is unusable. */
    public Gateway start() {
        lifecycle.lock();
        try {
            spool = ChronicleSpool.open(config.spool().toOptions(config.smtp().maxMessageBytes()));
            localMail = new LocalMail(config.local(), config.hostname()).start();
            delivery = new DeliveryAgent(config.hostname(), config.delivery(), config.local(), config.tls(), spool, localMail);
            delivery.start();
            smtp = new SmtpServer(config.hostname(), config.smtp(), config.tls(), config.relay(), spool, localMail);
            smtp.start();
            if (config.pop3().enabled()) {
                pop3 = new Pop3Server(config.pop3(), config.tls(), localMail).start();
            }
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        } finally {
            lifecycle.unlock();
        }
    }

    public int smtpPort() {
        return smtp.port();
    }

    public int pop3Port() {
        return pop3 == null ? 0 : pop3.port();
    }

    public Spool spool() {
        return spool;
    }

    public DeliveryAgent delivery() {
        return delivery;
    }

    /** One line saying where the gateway listens, for the operator. */
    public String describeListeners() {
        StringBuilder sb = new StringBuilder("SMTP ").append(config.smtp().bind()).append(':').append(smtp.port());
        if (smtp.tlsPort() != 0) {
            sb.append(", SMTPS ").append(config.smtp().bind()).append(':').append(smtp.tlsPort());
        }
        if (pop3 != null) {
            sb.append(", POP3 ").append(config.pop3().bind()).append(':').append(pop3.port());
            if (pop3.tlsPort() != 0) {
                sb.append(", POP3S ").append(config.pop3().bind()).append(':').append(pop3.tlsPort());
            }
        }
        return sb.append(", spool ").append(config.spool().dir().toAbsolutePath().normalize())
            .append(" (").append(config.spool().durability().name().toLowerCase(java.util.Locale.ROOT)).append(')')
            .toString();
    }

    @Override
    public void close() {
        lifecycle.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly("SMTP server", smtp);
            closeQuietly("POP3 server", pop3);
            closeQuietly("delivery", delivery);
            closeQuietly("local mail", localMail);
            closeQuietly("spool", spool);
        } finally {
            lifecycle.unlock();
        }
    }

    private static void closeQuietly(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", what, e.toString());
        }
    }
}
