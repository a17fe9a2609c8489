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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise behind every {@code 250}: kill -9 the gateway while clients are sending, start it again on the same
 * spool, and every message that got a 250 reaches the next hop (at least once).
 */
@Timeout(240)
class KillGatewayDuringLoadTest {

    private static final int CLIENTS = 8;
    private static final int ACKED_BEFORE_KILL = 300;
    /** About 2 KB of body in 72-octet lines (RFC 5322 recommends at most 78). */
    private static final String BODY = ("y".repeat(70) + "\r\n").repeat(28);

    @TempDir
    Path dir;

    @Test
    void shouldDeliverEveryAcknowledgedMessageAfterKill9InFsyncMode() throws Exception {
        killMidLoadAndRecover("fsync");
    }

    @Test
    void shouldDeliverEveryAcknowledgedMessageAfterKill9InOsMode() throws Exception {
        killMidLoadAndRecover("os");
    }

    private void killMidLoadAndRecover(String durability) throws Exception {
        try (RecordingSink sink = new RecordingSink()) {
            int smtpPort = freePort();
            List<String> settings = List.of(
                "spool.dir=" + dir.resolve("spool"),
                "spool.durability=" + durability,
                "spool.min-free=1m",
                "local.mail-dir=" + dir.resolve("mail"),
                "local.users-file=" + dir.resolve("users"),
                "local.aliases-file=" + dir.resolve("aliases"),
                "pop3.enabled=false",
                "delivery.relayhost=[127.0.0.1]:" + sink.port(),
                "delivery.retry-schedule=[1s]");
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicInteger refusedOrFailed = new AtomicInteger();

            // try-with-resources: a failed assertion must not leave the forked gateway running (close kills it).
            GatewayProcess first = GatewayProcess.start(dir, smtpPort, settings);
            try (first) {
                AtomicBoolean running = new AtomicBoolean(true);
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.submit(() -> sendUntilStopped(smtpPort, client, running, acked, refusedOrFailed));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (acked.size() < ACKED_BEFORE_KILL && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                try {
                    assertTrue(acked.size() >= ACKED_BEFORE_KILL, "only " + acked.size() + " acked; gateway log:\n" + first.output());
                    first.kill();
                } finally {
                    running.set(false);
                    clients.shutdown();
                }
                assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients did not stop");
            }
            Set<String> ackedAtKill = new HashSet<>(acked);

            try (GatewayProcess second = GatewayProcess.start(dir, smtpPort, settings)) {
                long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (!sink.messageIds().containsAll(ackedAtKill) && System.nanoTime() < waitUntil) {
                    Thread.sleep(100);
                }
                Set<String> missing = new HashSet<>(ackedAtKill);
                missing.removeAll(sink.messageIds());
                assertTrue(missing.isEmpty(), missing.size() + " of " + ackedAtKill.size()
                    + " acknowledged messages never arrived, e.g. " + missing.stream().limit(5).toList()
                    + "\nfirst run:\n" + tail(first.output()) + "\nsecond run:\n" + tail(second.output()));
                // A JVM ended by SIGTERM exits 143 (128 + 15) even when its shutdown hook completes normally.
                int exit = second.stop();
                assertTrue(exit == 143 || exit == 0, "exit " + exit + " on SIGTERM:\n" + tail(second.output()));
                assertTrue(second.output().contains("StartCommand stopped"), "no graceful stop:\n" + tail(second.output()));
            }
        }
    }

    /** One client connection after another, each sending messages until told to stop or the server dies. */
    private static void sendUntilStopped(int port, int client, AtomicBoolean running, Set<String> acked,
                                         AtomicInteger failures) {
        int seq = 0;
        while (running.get()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                expect(in, "220");
                send(out, "EHLO client" + client + ".test");
                expect(in, "250");
                while (running.get()) {
                    String id = "c" + client + "-" + (seq++) + "@kill.test";
                    send(out, "MAIL FROM:<load@kill.test>");
                    expect(in, "250");
                    send(out, "RCPT TO:<someone@remote.test>");
                    expect(in, "250");
                    send(out, "DATA");
                    expect(in, "354");
                    send(out, "Message-ID: <" + id + ">\r\nSubject: crash test\r\n\r\n" + BODY + ".");
                    String reply = expect(in, "2");
                    if (reply.startsWith("250")) {
                        acked.add(id);
                    }
                }
                send(out, "QUIT");
            } catch (IOException | IllegalStateException e) {
                failures.incrementAndGet();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads a (possibly multiline) reply; throws unless its code starts with {@code prefix}. */
    private static String expect(BufferedReader in, String prefix) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(prefix)) {
            throw new IllegalStateException("expected " + prefix + " got " + line);
        }
        return line;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }
}
