package io.sluice.gateway.smtp;

import io.sluice.spool.BodyForm;
import io.sluice.spool.SpoolEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw-socket tests of the connection: byte phases, pipelining, TLS, limits, timeouts, shutdown, failures. */
@Timeout(120)
class SmtpConnectionTest {

    private TempSpool temp;
    private SmtpTestServer smtp;

    private SmtpTestServer start(Consumer<SmtpTestServer.Options> tweak) throws IOException {
        temp = new TempSpool();
        smtp = SmtpTestServer.start(temp.spool, SmtpTestServer.exampleDirectory(), tweak);
        return smtp;
    }

    /** {@link #start} with the test keystore configured, then {@code tweak}. */
    private SmtpTestServer startWithTls(Consumer<SmtpTestServer.Options> tweak)
        throws IOException, InterruptedException {
        Path ks = TestKeystore.get();
        return start(o -> {
            o.keystore = ks.toString();
            o.keystorePassword = TestKeystore.PASSWORD;
            tweak.accept(o);
        });
    }

    @AfterEach
    void stop() {
        if (smtp != null) {
            smtp.close();
        }
        if (temp != null) {
            temp.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static ScriptedClient toData(int port) throws IOException {
        ScriptedClient c = ScriptedClient.connect(port).ehlo();
        c.send("MAIL FROM:<sender@remote.test>").expect("250 2.1.0");
        c.send("RCPT TO:<alice@example.org>").expect("250 2.1.5");
        c.send("DATA").expect("354 ");
        return c;
    }

    @Test
    void shouldStoreDataByteExactWithTheReceivedHeaderFirst() throws IOException {
        start(o -> { });
        String wire = "Subject: dots\r\n\r\n..leading dot (stuffed)\r\nline two\r\n";
        try (ScriptedClient c = toData(smtp.port())) {
            String queued = c.sendRaw(wire + ".\r\n").expect("250 2.0.0 Ok: queued as ");
            String id = TempSpool.queueId(queued);
            SpoolEntry e = temp.entry(id);
            assertEquals(BodyForm.DOT_STUFFED, e.bodyForm());
            assertEquals("sender@remote.test", e.envelope().sender());
            String stored = new String(temp.storedBytes(id), StandardCharsets.UTF_8);
            assertTrue(stored.startsWith("Received: from client.test ([127.0.0.1])\r\n\tby mx.test (Sluice) with ESMTP id " + id
                + "\r\n\tfor <alice@example.org>; "), stored);
            assertTrue(stored.endsWith("\r\n" + wire), stored);
            String message = new String(temp.message(id), StandardCharsets.UTF_8);
            assertTrue(message.endsWith("\r\n.leading dot (stuffed)\r\nline two\r\n"), message);
            c.send("QUIT").expect("221 2.0.0");
        }
    }

    @Test
    void shouldFlushTheRepliesOfAPipelinedBatchTogether() throws IOException {
        start(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port()).ehlo()) {
            c.sendRaw("MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
                + "RCPT TO:<bob@example.org>\r\nDATA\r\n");
            byte[] buf = new byte[4096];
            InputStream in = c.socket.getInputStream();
            int n = in.read(buf);
            String first = new String(buf, 0, n, StandardCharsets.US_ASCII);
            assertEquals("250 2.1.0 Sender ok\r\n250 2.1.5 Recipient ok\r\n550 5.1.1 No such user here\r\n"
                + "250 2.1.5 Recipient ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n", first, "one read, whole batch");
            c.sendRaw("x\r\n.\r\nQUIT\r\n").expect("250 2.0.0 Ok: queued");
            c.expect("221 2.0.0");
        }
    }

    @Test
    void shouldRefuseBareLineEndingsInDataWithoutEndingDataEarly() throws IOException {
        start(o -> { });
        try (ScriptedClient c = toData(smtp.port())) {
            // Smuggling attempt: "\n.\n" or "\r\n.\n" must not end DATA; what follows stays message data.
            c.sendRaw("Subject: x\r\n\r\nhi\n.\nMAIL FROM:<evil@remote.test>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
                + "smuggled\r\n.\r\n");
            c.expect("550 5.6.0");
            c.send("NOOP").expect("250 2.0.0 Ok");
            c.send("DATA").expect("503 5.5.1 Need MAIL");
        }
        assertEquals(List.of(), temp.entries(), "nothing stored");
        try (ScriptedClient c = toData(smtp.port())) {
            c.sendRaw("bare CR\rinside\r\n.\r\n").expect("550 5.6.0");
        }
    }

    @Test
    void shouldRefuseABareLfCommandLine() throws IOException {
        start(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            c.sendRaw("NOOP\n").expect("500 5.5.2 Bare <LF>");
            c.send("NOOP").expect("250 2.0.0");
        }
    }

    @Test
    void shouldSkipAnOverlongCommandLineAndKeepTheSession() throws IOException {
        start(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port()).ehlo()) {
            c.send("MAIL FROM:<" + "a".repeat(3000) + "@remote.test>").expect("500 5.5.2 Line too long");
            c.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0");
        }
    }

    @Test
    void shouldRefuseOversizeMessagesAtMailAndInData() throws IOException {
        start(o -> o.maxMessageBytes = 2000);
        try (ScriptedClient c = ScriptedClient.connect(smtp.port()).ehlo()) {
            c.send("MAIL FROM:<s@remote.test> SIZE=2001").expect("552 5.3.4");
        }
        try (ScriptedClient c = toData(smtp.port())) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                body.append("line ").append(i).append(" ").append("x".repeat(60)).append("\r\n");
            }
            c.sendRaw(body + ".\r\n").expect("552 5.3.4");
            c.send("NOOP").expect("250 2.0.0");
        }
        assertEquals(List.of(), temp.entries());
    }

    @Test
    void shouldRefuseDataLinesOver998Octets() throws IOException {
        start(o -> { });
        try (ScriptedClient c = toData(smtp.port())) {
            c.sendRaw("x".repeat(1500) + "\r\n.\r\n").expect("500 5.5.6");
        }
    }

    @Test
    void shouldStoreBdatChunksRawAndExact() throws IOException {
        start(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port()).ehlo()) {
            c.send("MAIL FROM:<s@remote.test> BODY=BINARYMIME").expect("250 2.1.0");
            c.send("RCPT TO:<alice@example.org>").expect("250 2.1.5");
            c.sendRaw("BDAT 14\r\nSubject: b\r\n\r\n").expect("250 2.0.0 Chunk");
            String queued = c.sendRaw("BDAT 7 LAST\r\n.\r\nhi\r\n").expect("250 2.0.0 Ok: queued as ");
            String id = TempSpool.queueId(queued);
            assertEquals(BodyForm.RAW, temp.entry(id).bodyForm());
            String stored = new String(temp.storedBytes(id), StandardCharsets.UTF_8);
            assertTrue(stored.startsWith("Received: ") && stored.endsWith("\r\nSubject: b\r\n\r\n.\r\nhi\r\n"), stored);
            c.sendRaw("BDAT 4\r\nabcd").expect("503 5.5.1 Need MAIL");
            c.send("NOOP").expect("250 2.0.0");
        }
    }

    @Test
    void shouldLeaveNothingInTheSpoolWhenTheClientHangsUpInData() throws Exception {
        start(o -> { });
        ScriptedClient c = toData(smtp.port());
        c.sendRaw("Subject: lost\r\n\r\n" + "x".repeat(10_000) + "\r\n");
        c.close();
        await(() -> smtp.server.connectionCount() == 0, "the session to end");
        assertEquals(List.of(), temp.entries());
    }

    @Test
    void shouldDiscardPlaintextPipelinedAfterStarttls() throws Exception {
        startWithTls(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            String ehlo = String.join("\n", c.send("EHLO client.test").readReply());
            assertTrue(ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"), ehlo);
            c.sendRaw("STARTTLS\r\nRSET\r\n").expect("220 2.0.0");
            SSLSocket tls = (SSLSocket) TestKeystore.trustingClientFactory().createSocket(c.socket, "mx.test", smtp.port(), true);
            tls.startHandshake();
            tls.getOutputStream().write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            byte[] buf = new byte[1024];
            int n = tls.getInputStream().read(buf);
            String first = new String(buf, 0, n, StandardCharsets.US_ASCII);
            assertTrue(first.startsWith("250-mx.test"), "the injected RSET must not be answered; Reply=" + first);
            while (!first.contains("250 ")) {
                n = tls.getInputStream().read(buf);
                first += new String(buf, 0, n, StandardCharsets.US_ASCII);
            }
            assertTrue(first.contains("AUTH PLAIN LOGIN") && !first.contains("STARTTLS"), first);
        }
    }

    @Test
    void shouldEndASessionThatNeverStartsTheTlsHandshake() throws Exception {
        startWithTls(o -> o.commandTimeout = Duration.ofMillis(300));
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            c.send("EHLO client.test").readReply();
            c.send("STARTTLS").expect("220 2.0.0");
            long t0 = System.nanoTime();
            // The server gives up on the handshake that never comes: perhaps a TLS alert, then the end of the stream.
            byte[] buf = new byte[256];
            try {
                while (c.socket.getInputStream().read(buf) >= 0) {
                    // an alert is fine; the connection must end
                }
            } catch (IOException closed) {
                // ended by the server
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 10_000, "ended after " + ms + " ms");
        }
        await(() -> smtp.server.connectionCount() == 0, "the session to end");
    }

    @Test
    void shouldEndASilentSessionAfterStarttls() throws Exception {
        startWithTls(o -> o.commandTimeout = Duration.ofSeconds(2)); // also bounds the handshake: room for a cold start
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            c.send("EHLO client.test").readReply();
            c.send("STARTTLS").expect("220 2.0.0");
            SSLSocket tls = (SSLSocket) TestKeystore.trustingClientFactory().createSocket(c.socket, "mx.test", smtp.port(), true);
            tls.setSoTimeout(20_000);
            tls.startHandshake();
            long t0 = System.nanoTime();
            // Silent after the handshake: the command timeout must still end the session (the TLS socket reads
            // are bounded only by the session's deadline).
            byte[] buf = new byte[256];
            try {
                while (tls.getInputStream().read(buf) >= 0) {
                    // a 421 may or may not make it through TLS; the connection must end either way
                }
            } catch (IOException closed) {
                // ended by the server
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 10_000, "ended after " + ms + " ms");
        }
        await(() -> smtp.server.connectionCount() == 0, "the session to end");
    }

    @Test
    void shouldSpeakImplicitTls() throws Exception {
        startWithTls(o -> { });
        smtp.server.startImplicitTlsOnAnyPort();
        try (Socket s = TestKeystore.trustingClientFactory().createSocket("127.0.0.1", smtp.server.tlsPort())) {
            s.setSoTimeout(20_000);
            byte[] buf = new byte[256];
            int n = s.getInputStream().read(buf);
            assertTrue(new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("220 mx.test"));
        }
    }

    @Test
    void shouldReply421WhenTheClientIsSilent() throws IOException {
        start(o -> o.commandTimeout = Duration.ofMillis(300));
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            c.expect("421 4.4.2");
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    void shouldCutOffATricklingDataPhase() throws Exception {
        start(o -> {
            o.dataBlockTimeout = Duration.ofSeconds(5);
            o.dataTotalTimeout = Duration.ofMillis(800);
        });
        try (ScriptedClient c = toData(smtp.port())) {
            for (int i = 0; i < 40 && !c.socket.isInputShutdown(); i++) {
                try {
                    c.sendRaw("x");
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(50);
            }
            c.expect("421 4.4.2");
        }
        assertEquals(List.of(), temp.entries());
    }

    @Test
    void shouldReply421OverTheConnectionLimit() throws IOException {
        start(o -> o.maxConnections = 1);
        try (ScriptedClient first = ScriptedClient.connect(smtp.port());
             ScriptedClient second = new ScriptedClient(smtp.port())) {
            second.expect("421 4.7.0 Too many connections");
            first.send("NOOP").expect("250");
        }
    }

    @Test
    void shouldReply421OverThePerClientLimit() throws IOException {
        start(o -> o.maxPerClient = 1);
        try (ScriptedClient first = ScriptedClient.connect(smtp.port());
             ScriptedClient second = new ScriptedClient(smtp.port())) {
            second.expect("421 4.7.0 Too many connections from your address");
            first.send("NOOP").expect("250");
        }
    }

    @Test
    void shouldReply421ToIdleSessionsOnClose() throws IOException {
        start(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            c.send("NOOP").expect("250");
            smtp.close();
            c.expect("421 4.3.2");
        }
    }

    @Test
    void shouldEndOnlyThatSessionOnABug() throws IOException {
        MemorySpool spool = new MemorySpool();
        spool.failBegin = true;
        smtp = SmtpTestServer.start(spool, SmtpTestServer.exampleDirectory());
        try (ScriptedClient c = toData(smtp.port())) {
            c.expect("421 4.3.0");
        }
        spool.failBegin = false;
        try (ScriptedClient c = toData(smtp.port())) {
            c.sendRaw("ok\r\n.\r\n").expect("250 2.0.0 Ok: queued as");
        }
    }

    @Test
    void shouldCloseAfterTooManyErrors() throws IOException {
        start(o -> o.maxErrors = 3);
        try (ScriptedClient c = ScriptedClient.connect(smtp.port())) {
            c.send("BAD1").expect("500");
            c.send("BAD2").expect("500");
            c.send("BAD3").expect("421 4.7.0");
            assertTrue(c.isClosedByServer());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldNotAllocateReadersPerMessage() throws IOException {
        start(o -> { });
        try (ScriptedClient c = ScriptedClient.connect(smtp.port()).ehlo()) {
            for (int i = 0; i < 20; i++) {
                c.send("MAIL FROM:<s@remote.test>").expect("250");
                c.send("RCPT TO:<bob@example.org>").expect("250");
                c.send("DATA").expect("354");
                c.sendRaw("n " + i + "\r\n.\r\n").expect("250 2.0.0 Ok: queued");
            }
        }
        assertEquals(20, temp.entries().size());
        assertArrayEquals(bytes("a"), bytes("a"));
    }
}
