package io.sluice.gateway.delivery;

import io.sluice.gateway.config.GatewayConfig.DeliveryConfig;
import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.config.GatewayConfig.NextHop;
import io.sluice.gateway.config.GatewayConfig.TlsPolicy;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolWriter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Test-only builders: a delivery config with test-sized timers, envelopes, messages, and a condition wait. */
final class TestConfigs {

    /** Mutable knobs with test defaults; {@link #build()} makes the record. */
    static final class Delivery {
        NextHop relayhost;
        Map<String, NextHop> routes = new HashMap<>();
        String dnsResolver = "127.0.0.1:1"; // never the system's resolver in tests
        int connectionsPerDestination = 4;
        int maxConnections = 50;
        int messagesPerConnection = 1000;
        Duration idle = Duration.ofSeconds(30);
        int recipientsPerTransaction = 100;
        List<Duration> retrySchedule = List.of(Duration.ofMinutes(1));
        Duration maxQueueLifetime = Duration.ofDays(5);
        TlsPolicy tls = TlsPolicy.OFF;
        List<String> tlsRequired = List.of();
        Duration commandTimeout = Duration.ofSeconds(20);
        Duration dataDoneTimeout = Duration.ofSeconds(20);
        boolean chunking = true;
        int pipelineDepth = 4;

        Delivery relayTo(int port) {
            relayhost = NextHop.parse("delivery.relayhost", "[127.0.0.1]:" + port);
            return this;
        }

        DeliveryConfig build() {
            return new DeliveryConfig(relayhost, routes, dnsResolver, connectionsPerDestination, maxConnections,
                messagesPerConnection, idle, recipientsPerTransaction, retrySchedule, maxQueueLifetime, tls,
                tlsRequired, Duration.ofSeconds(10), Duration.ofSeconds(20), commandTimeout, Duration.ofSeconds(20),
                dataDoneTimeout, chunking, pipelineDepth);
        }
    }

    static LocalConfig local() {
        return new LocalConfig(List.of("local.test"), Path.of("unused"), Path.of("unused"), Path.of("unused"), 0);
    }

    static Envelope envelope(String sender, String... recipients) {
        List<Recipient> r = new ArrayList<>();
        for (String a : recipients) {
            r.add(Recipient.of(a));
        }
        return new Envelope(sender, r, new ClientInfo("127.0.0.1", "client.test", "ESMTP", null),
            System.currentTimeMillis(), "7BIT", false, null, null);
    }

    static String message(String subject, int bodyBytes) {
        StringBuilder sb = new StringBuilder();
        sb.append("From: <sender@origin.test>\r\nTo: <rcpt@remote.test>\r\nSubject: ").append(subject)
            .append("\r\nMessage-ID: <").append(subject.hashCode()).append("@origin.test>\r\n\r\n");
        int line = 0;
        while (sb.length() < bodyBytes) {
            sb.append(line++ % 7 == 3 ? ".a line that starts with a dot\r\n" : "Some body text, line ")
                .append(line).append("\r\n");
        }
        return sb.toString();
    }

    /** Spools a message in DOT_STUFFED form (stuffing it as a receiver would); returns its id. */
    static MessageId spool(Spool spool, Envelope env, String message) {
        return spool(spool, env, message, BodyForm.DOT_STUFFED);
    }

    static MessageId spool(Spool spool, Envelope env, String message, BodyForm form) {
        String stored = form == BodyForm.DOT_STUFFED ? stuff(message) : message;
        SpoolWriter w = spool.begin(env, form);
        w.append(ByteBuffer.wrap(stored.getBytes(StandardCharsets.UTF_8)));
        if (!w.commit().join().isOk()) {
            throw new IllegalStateException("commit failed");
        }
        return w.id();
    }

    static String stuff(String message) {
        StringBuilder sb = new StringBuilder(message.length() + 16);
        boolean lineStart = true;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (lineStart && c == '.') {
                sb.append('.');
            }
            sb.append(c);
            lineStart = c == '\n';
        }
        return sb.toString();
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    private TestConfigs() {
    }
}
