package io.sluice.gateway.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateways in a row, as at an ISP with an inner and an outer relay: A relays to B, which offers CHUNKING, so A
 * sends its (dot-stuffed) spooled bodies with BDAT, unstuffed; B stores them as received (RAW) and relays them to a
 * DATA-only sink, stuffing them again on the way. Every message must arrive byte for byte as the client wrote it,
 * below the two Received headers: lines starting with dots are where an unstuffing mistake shows.
 */
@Timeout(180)
class GatewayToGatewayTest {

    @TempDir
    Path dir;

    @Test
    void shouldRelayThroughASecondGatewayWithBdatAndDeliverEveryMessageIntact() throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            int portA = freePort();
            int portB = freePort();
            try (GatewayProcess b = GatewayProcess.start(dir, portB, settings("b", sink.port()));
                 GatewayProcess a = GatewayProcess.start(dir, portA, settings("a", portB))) {
                assertTrue(ehlo(portB).contains("CHUNKING"), "B offers CHUNKING, so A uses BDAT");
                Map<String, String> sent = new LinkedHashMap<>();
                sent.put("plain@g2g.test", message("plain@g2g.test", "no dots here\r\n", 40));
                sent.put("dots@g2g.test", message("dots@g2g.test",
                    ".starts with a dot\r\n..two dots\r\n.\r\nmiddle.dot\r\n", 30));
                sent.put("first@g2g.test", message("first@g2g.test", ".\r\n", 3));
                sent.put("large@g2g.test", message("large@g2g.test", ".dot line in a large body\r\n", 6_000));
                try (Client c = new Client(portA)) {
                    for (Map.Entry<String, String> e : sent.entrySet()) {
                        assertTrue(c.send(e.getValue(), "x@remote.test", "y@remote.test").startsWith("250"),
                            "A accepted " + e.getKey());
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!sink.messageIds().containsAll(sent.keySet()) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(sink.messageIds().containsAll(sent.keySet()), "arrived: " + sink.messageIds()
                    + "\nA:\n" + a.output() + "\nB:\n" + b.output());
                for (Map.Entry<String, String> e : sent.entrySet()) {
                    String arrived = sink.messagesById().get(e.getKey());
                    assertTrue(arrived.endsWith(e.getValue()), e.getKey() + " arrived changed:\n"
                        + arrived.substring(0, Math.min(arrived.length(), 2_000)));
                    assertEquals(2, arrived.substring(0, arrived.length() - e.getValue().length())
                        .split("(?m)^Received: ", -1).length - 1, "A's and B's Received headers above it");
                }
                assertEquals(sent.size(), sink.messages(), "one copy per message for both recipients");
            }
        }
    }

    private List<String> settings(String name, int relayPort) {
        Path d = dir.resolve(name);
        return List.of(
            "spool.dir=" + d.resolve("spool"),
            "spool.min-free=1m",
            "local.mail-dir=" + d.resolve("mail"),
            "local.users-file=" + d.resolve("users"),
            "local.aliases-file=" + d.resolve("aliases"),
            "pop3.enabled=false",
            "delivery.relayhost=[127.0.0.1]:" + relayPort);
    }

    private static String message(String messageId, String lines, int repeat) {
        return "Message-ID: <" + messageId + ">\r\nSubject: two hops\r\n\r\n" + lines.repeat(repeat) + "end\r\n";
    }

    private static String ehlo(int port) throws IOException {
        try (Client c = new Client(port)) {
            return c.ehloReply;
        }
    }

    /** A plain SMTP client: one message per transaction, dot-stuffed here as RFC 5321 4.5.2 says. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;
        final String ehloReply;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
            reply();
            write("EHLO client.test\r\n");
            ehloReply = reply();
        }

        String send(String message, String... recipients) throws IOException {
            write("MAIL FROM:<sender@g2g.test>\r\n");
            String r = reply();
            if (!r.startsWith("250")) {
                return r;
            }
            for (String rcpt : recipients) {
                write("RCPT TO:<" + rcpt + ">\r\n");
                reply();
            }
            write("DATA\r\n");
            r = reply();
            if (!r.startsWith("354")) {
                return r;
            }
            write(message.replaceAll("(?m)^\\.", "..") + ".\r\n");
            return reply();
        }

        private void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        private String reply() throws IOException {
            StringBuilder sb = new StringBuilder();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed");
                }
                sb.append(line).append('\n');
            } while (line.length() > 3 && line.charAt(3) == '-');
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            write("QUIT\r\n");
            socket.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
