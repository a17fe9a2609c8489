package io.sluice.gateway.smtp;

import io.sluice.gateway.config.Cidr;
import io.sluice.gateway.config.GatewayConfig;
import io.sluice.gateway.local.LocalDirectory;
import io.sluice.spool.Spool;

import java.time.Duration;
import java.util.List;

/**
 * Starts an {@link SmtpServer} on 127.0.0.1, port 0, for tests. Defaults: the reference.conf values, hostname
 * {@code mx.test}, no relay networks, no TLS. Override with the record's {@code with}-style helpers below.
 */
final class SmtpTestServer implements AutoCloseable {

    static final String HOST = "mx.test";

    final SmtpServer server;
    final Spool spool;

    private SmtpTestServer(SmtpServer server, Spool spool) {
        this.server = server;
        this.spool = spool;
    }

    /** Mutable knobs for one test server. */
    static final class Options {
        long maxMessageBytes = 50L << 20;
        int maxRecipients = 1000;
        int maxConnections = 10_000;
        int maxPerClient = 1000;
        int maxErrors = 20;
        Duration commandTimeout = Duration.ofMinutes(5);
        Duration dataBlockTimeout = Duration.ofMinutes(3);
        Duration dataTotalTimeout = Duration.ofMinutes(10);
        boolean authWithoutTls;
        boolean vrfy;
        boolean expn;
        String keystore = "";
        String keystorePassword = "";
        List<String> relayNetworks = List.of();

        GatewayConfig.SmtpConfig smtp() {
            return new GatewayConfig.SmtpConfig("127.0.0.1", 0, 0, maxMessageBytes, maxRecipients, maxConnections,
                maxPerClient, maxErrors, commandTimeout, dataBlockTimeout, dataTotalTimeout, authWithoutTls, vrfy, expn);
        }

        GatewayConfig.RelayConfig relay() {
            return new GatewayConfig.RelayConfig(relayNetworks.stream().map(t -> Cidr.parse("relay.networks", t)).toList());
        }
    }

    static SmtpTestServer start(Spool spool, LocalDirectory directory, java.util.function.Consumer<Options> tweak) {
        Options o = new Options();
        tweak.accept(o);
        SmtpServer s = new SmtpServer(HOST, o.smtp(), new GatewayConfig.TlsConfig(o.keystore, o.keystorePassword),
            o.relay(), spool, directory);
        s.start();
        return new SmtpTestServer(s, spool);
    }

    static SmtpTestServer start(Spool spool, LocalDirectory directory) {
        return start(spool, directory, o -> { });
    }

    int port() {
        return server.port();
    }

    /** A directory with domain example.org, users alice (password "secret") and bob, and alias team -> alice, bob. */
    static MapDirectory exampleDirectory() {
        return new MapDirectory("example.org")
            .user("alice@example.org", "Alice Liddell", "secret")
            .user("bob@example.org", "Bob", null)
            .user("postmaster@mx.test", "", null)
            .alias("team@example.org", List.of("alice@example.org", "bob"), List.of("alice@example.org", "bob@example.org"));
    }

    @Override
    public void close() {
        server.close();
    }
}
