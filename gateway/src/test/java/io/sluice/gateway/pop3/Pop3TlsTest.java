package io.sluice.gateway.pop3;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.sluice.gateway.pop3.Pop3ServerTest.err;
import static io.sluice.gateway.pop3.Pop3ServerTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class Pop3TlsTest {

    @TempDir
    static Path keys;
    static Path keystore;

    @TempDir
    Path root;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = Pop3Fixture.keystore(keys);
    }

    /** plaintext-on-loopback off: the loopback client is treated like a remote one. */
    private Pop3Fixture strict(int tlsPort) throws Exception {
        return new Pop3Fixture(root, Duration.ZERO, false, keystore, tlsPort, Duration.ofSeconds(60));
    }

    @Test
    void shouldRefusePlaintextPasswordsUntilStls() throws Exception {
        try (Pop3Fixture f = strict(0); Pop3TestClient c = new Pop3TestClient(f.port())) {
            f.deliver("fred", "Subject: tls\r\n\r\nover TLS\r\n");
            c.readLine();
            ok(c.send("CAPA"));
            List<String> caps = List.of(c.readMultiLine().split("\r\n"));
            assertTrue(caps.contains("STLS"), caps.toString());
            assertFalse(caps.contains("USER"), "USER is not offered in clear: " + caps);
            err(c.send("USER fred"), "STLS");
            err(c.send("PASS secret"), "STLS");
            ok(c.send("STLS"));
            c.startTls();
            ok(c.send("CAPA"));
            caps = List.of(c.readMultiLine().split("\r\n"));
            assertTrue(caps.contains("USER") && !caps.contains("STLS"), caps.toString());
            err(c.send("STLS"), "already active");
            ok(c.login("fred", "secret"));
            ok(c.send("RETR 1"));
            assertTrue(c.readMultiLine().endsWith("\r\nover TLS\r\n"));
            ok(c.send("QUIT"));
        }
    }

    @Test
    void shouldDiscardPlaintextPipelinedAfterStls() throws Exception {
        try (Pop3Fixture f = new Pop3Fixture(root, Duration.ZERO, true, keystore, 0, Duration.ofSeconds(60));
             Pop3TestClient c = new Pop3TestClient(f.port())) {
            c.readLine();
            // RFC 2595 / CVE-2011-0411 style injection: the USER line must not survive into the TLS session.
            c.sendRaw("STLS\r\nUSER fred\r\n");
            ok(c.readLine());
            c.startTls(); // one write on loopback: both lines reach the server's buffer before the handshake
            err(c.send("PASS secret"), "send USER first");
        }
    }

    @Test
    void shouldEndASessionSilentAfterStls() throws Exception {
        // 2 s: long enough for a cold TLS handshake on a busy machine, which the same timeout bounds
        try (Pop3Fixture f = new Pop3Fixture(root, Duration.ZERO, false, keystore, 0, Duration.ofSeconds(2));
             Pop3TestClient c = new Pop3TestClient(f.port())) {
            c.readLine();
            ok(c.send("STLS"));
            c.startTls();
            long t0 = System.nanoTime();
            // Silent over TLS: the idle timeout must still end the session (a -ERR may or may not get through).
            String line = c.readLine();
            while (line != null && !line.startsWith("-ERR")) {
                line = c.readLine();
            }
            assertTrue(c.isClosedByServer());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 10_000, "ended after " + ms + " ms");
        }
    }

    @Test
    void shouldServeImplicitTlsPort() throws Exception {
        int tlsPort = Pop3Fixture.freePort();
        try (Pop3Fixture f = strict(tlsPort)) {
            assertEquals(tlsPort, f.server.tlsPort());
            f.deliver("wilma", "Subject: s\r\n\r\nx\r\n");
            try (Pop3TestClient c = Pop3TestClient.implicitTls(tlsPort)) {
                ok(c.readLine());
                ok(c.send("CAPA"));
                assertFalse(c.readMultiLine().contains("STLS"), "no STLS inside TLS");
                ok(c.login("wilma", "other"));
                assertTrue(c.send("STAT").startsWith("+OK 1 "));
                ok(c.send("QUIT"));
            }
        }
    }
}
