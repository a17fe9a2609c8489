package io.sluice.gateway.pop3;

import io.sluice.gateway.TestTls;

import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.config.GatewayConfig.Pop3Config;
import io.sluice.gateway.config.GatewayConfig.TlsConfig;
import io.sluice.gateway.local.LocalMail;
import io.sluice.gateway.local.LocalTestSupport;
import io.sluice.spool.RecipientState;
import io.sluice.spool.SpoolEntry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A LocalMail with users fred/secret and wilma/other, and a POP3 server on port 0. */
final class Pop3Fixture implements AutoCloseable {

    final Path root;
    final LocalConfig config;
    final LocalMail local;
    final Pop3Server server;

    Pop3Fixture(Path root, Duration loginDelay, boolean plaintextOnLoopback, Path keystore, int tlsPort,
                Duration timeout) throws Exception {
        this.root = root;
        this.config = LocalTestSupport.config(root, 0);
        LocalTestSupport.writeUsers(config.usersFile(), "fred", "secret", "Fred Smith", "wilma", "other", "");
        this.local = new LocalMail(config, "test.host");
        TlsConfig tls = keystore == null ? new TlsConfig("", "") : new TlsConfig(keystore.toString(), TestTls.PASSWORD);
        this.server = new Pop3Server(new Pop3Config(true, "127.0.0.1", 0, tlsPort, plaintextOnLoopback,
            timeout, loginDelay), tls, local);
        server.start();
    }

    static Pop3Fixture plain(Path root) throws Exception {
        return new Pop3Fixture(root, Duration.ZERO, true, null, 0, Duration.ofSeconds(60));
    }

    /** pop3.tls-port = 0 means "off", so implicit-TLS tests pick a free port first (released just before bind). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port() {
        return server.port();
    }

    void deliver(String user, String message) {
        deliver(user, message.getBytes(StandardCharsets.UTF_8));
    }

    void deliver(String user, byte[] message) {
        SpoolEntry e = LocalTestSupport.entry("sender@remote.example", user + "@example.org");
        var r = local.deliver(e, LocalTestSupport.body(message), List.of(0));
        if (r.get(0).state() != RecipientState.DELIVERED) {
            throw new AssertionError(r.toString());
        }
    }

    Path maildir(String user) {
        return config.mailDir().resolve(user);
    }

    int countFiles(String user) throws IOException {
        return LocalTestSupport.files(maildir(user).resolve("new")).size()
            + LocalTestSupport.files(maildir(user).resolve("cur")).size();
    }

    /** A PKCS#12 keystore with a self-signed localhost key (password {@link TestTls#PASSWORD}). */
    static Path keystore(Path dir) throws Exception {
        return TestTls.selfSignedKeystore(dir, "localhost");
    }

    @Override
    public void close() {
        server.close();
        local.close();
    }
}
