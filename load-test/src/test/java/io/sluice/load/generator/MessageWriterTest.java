package io.sluice.load.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What MessageWriter puts on the wire, captured by a scripted server that only greets and answers EHLO. */
@Timeout(30)
class MessageWriterTest {

    @Test
    void shouldMarkWarmupMessagesWithAHeaderOfTheSameLengthAndKeepTheSize() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> capture(server));
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            MessageWriter writer = new MessageWriter("a@b.test", "c@d.test", 8192);
            try (ClientConnection c = ClientConnection.open(target, 10_000, "t.test", null, false)) {
                writer.write(c, 42, 1_700_000_000_123_456_789L, 5120, true);
                writer.write(c, 42, 1_700_000_000_123_456_789L, 5120, false);
                c.flush();
            }
            String wire = received.get(20, TimeUnit.SECONDS);
            int split = wire.indexOf("\r\n.\r\n") + 5;
            String warmup = wire.substring(0, split);
            String measured = wire.substring(split);
            assertEquals(warmup.length(), measured.length(), "a warm-up message is exactly as large");
            assertTrue(warmup.contains("\r\nX-Sluice-Load-Wu: 1700000000123456789\r\n"), warmup);
            assertTrue(!warmup.contains("X-Sluice-Load-Ts"), warmup);
            assertTrue(measured.contains("\r\nX-Sluice-Load-Ts: 1700000000123456789\r\n"), measured);
            assertEquals(measured, warmup.replace("X-Sluice-Load-Wu", "X-Sluice-Load-Ts"), "nothing else differs");
        }
    }

    /** Greets, answers EHLO, then returns everything sent after the EHLO line until the client closes. */
    private static String capture(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.setSoTimeout(15_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write("220 t\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                // the EHLO line
            }
            out.write("250 t\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
