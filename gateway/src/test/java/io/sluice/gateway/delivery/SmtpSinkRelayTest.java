package io.sluice.gateway.delivery;

import io.sluice.spool.Durability;
import io.sluice.spool.MessageId;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.chronicle.ChronicleSpool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.gateway.delivery.TestConfigs.await;
import static io.sluice.gateway.delivery.TestConfigs.envelope;
import static io.sluice.gateway.delivery.TestConfigs.message;
import static io.sluice.gateway.delivery.TestConfigs.spool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relays a pre-filled real spool to Postfix's smtp-sink (a subprocess on a free loopback port) and checks that
 * everything is delivered over no more than the configured connections. Prints the rate: a rough number on a
 * shared machine, never asserted.
 */
@Timeout(180)
class SmtpSinkRelayTest {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final int MESSAGES = Integer.getInteger("sluice.test.sinkMessages", 2000);
    private static final int CONNECTIONS = Integer.getInteger("sluice.test.sinkConnections", 8);

    @TempDir
    Path dir;

    @Test
    void shouldRelayAPrefilledSpoolToSmtpSinkOverCachedConnections() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SMTP_SINK), "smtp-sink is not installed");
        int port = freePort();
        Path sinkOut = dir.resolve("sink.out");
        Process sink = new ProcessBuilder(SMTP_SINK.toString(), "-c", "-u", "nobody", "127.0.0.1:" + port, "1000")
            .redirectErrorStream(true).redirectOutput(sinkOut.toFile()).start();
        try {
            awaitListening(port);
            TestConfigs.Delivery cfg = new TestConfigs.Delivery().relayTo(port);
            cfg.connectionsPerDestination = CONNECTIONS;
            cfg.messagesPerConnection = MESSAGES; // so the session count below measures reuse alone
            try (Spool spool = ChronicleSpool.open(new SpoolOptions(dir.resolve("spool"), Durability.OS, 50L << 20,
                0, Duration.ofHours(1)))) {
                String body = message("sink", 5 * 1024);
                List<MessageId> ids = new ArrayList<>(MESSAGES);
                for (int i = 0; i < MESSAGES; i++) {
                    ids.add(spool(spool, envelope("s@origin.test", "r" + i + "@remote.test"), body));
                }
                DeliveryAgent agent = new DeliveryAgent("gw.test", cfg.build(), TestConfigs.local(), spool,
                    (e, b, idx) -> List.of(), true);
                long startNs = System.nanoTime();
                agent.start();
                await("all delivered", 150_000, () -> agent.stats().stream()
                    .mapToLong(DestinationStats::delivered).sum() == MESSAGES);
                long elapsedNs = System.nanoTime() - startNs;
                DestinationStats stats = agent.stats().get(0);
                agent.close();
                System.out.printf("smtp-sink relay: %d x 5 KB messages in %.2f s = %.0f msgs/s over %d connections%n",
                    MESSAGES, elapsedNs / 1e9, MESSAGES / (elapsedNs / 1e9), CONNECTIONS);
                assertEquals(0, stats.bounced() + stats.deferred(), stats.toString());
                for (MessageId id : ids) {
                    assertTrue(spool.entry(id).map(e -> e.isFinished()).orElse(true), "finished: " + id);
                }
                await("sink saw every message and session", 20_000, () -> {
                    int[] c = counters(sinkOut);
                    return c[1] == MESSAGES && c[0] >= 1;
                });
                int sessions = counters(sinkOut)[0] - 1; // minus awaitListening's probe connection
                assertTrue(sessions <= CONNECTIONS, "TCP sessions at the sink: " + sessions);
            }
        } finally {
            sink.destroy();
            sink.waitFor();
        }
    }

    /** smtp-sink -c prints {@code sess=N quit=N mesg=N} lines separated by CR; returns the last {sess, mesg}. */
    private static int[] counters(Path out) {
        String text;
        try {
            text = Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return new int[] {0, 0};
        }
        Matcher m = Pattern.compile("sess=(\\d+) quit=\\d+ mesg=(\\d+)").matcher(text);
        int[] last = {0, 0};
        while (m.find()) {
            last[0] = Integer.parseInt(m.group(1));
            last[1] = Integer.parseInt(m.group(2));
        }
        return last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws InterruptedException {
        await("smtp-sink listening", 10_000, () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
