package io.sluice.gateway.smtp;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sessions (plain, STARTTLS, DATA into the real spool) must not pin their carrier threads: records the JFR event
 * {@code jdk.VirtualThreadPinned} around real sessions, as Helidon's PinningRecorder does, and expects none.
 */
@Timeout(120)
class VirtualThreadPinningTest {

    @Test
    void sessionsShouldNotPinCarrierThreads() throws Exception {
        Path ks = TestKeystore.get();
        Path jfr = Files.createTempFile("smtp-pinning", ".jfr");
        try (TempSpool temp = new TempSpool();
             SmtpTestServer smtp = SmtpTestServer.start(temp.spool, SmtpTestServer.exampleDirectory(), o -> {
                 o.keystore = ks.toString();
                 o.keystorePassword = TestKeystore.PASSWORD;
             });
             Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ofMillis(1)).withStackTrace();
            recording.start();
            for (int i = 0; i < 5; i++) {
                try (ScriptedClient c = ScriptedClient.connect(smtp.port()).ehlo()) {
                    c.send("MAIL FROM:<s@remote.test>").expect("250");
                    c.send("RCPT TO:<bob@example.org>").expect("250");
                    c.send("DATA").expect("354");
                    c.sendRaw("x\r\n.\r\n").expect("250 2.0.0 Ok: queued");
                    c.send("STARTTLS").expect("220");
                    SSLSocket tls = (SSLSocket) TestKeystore.trustingClientFactory().createSocket(c.socket, "mx.test", smtp.port(), true);
                    tls.startHandshake();
                    tls.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    tls.getOutputStream().flush();
                    tls.getInputStream().read(new byte[64]);
                }
            }
            recording.stop();
            recording.dump(jfr);
            // Only pins under our code count: the JDK's own poller threads may pin once while it initializes.
            List<String> pinned = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                    .anyMatch(f -> f.getMethod().getType().getName().startsWith("io.sluice.")))
                .map(RecordedEvent::toString).toList();
            assertEquals(List.of(), pinned, "pinned session threads");
        } finally {
            Files.deleteIfExists(jfr);
        }
    }
}
