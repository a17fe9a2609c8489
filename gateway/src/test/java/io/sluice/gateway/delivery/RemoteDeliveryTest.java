package io.sluice.gateway.delivery;

import io.sluice.spool.BodyForm;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.SpoolEntry;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.sluice.gateway.delivery.TestConfigs.await;
import static io.sluice.gateway.delivery.TestConfigs.envelope;
import static io.sluice.gateway.delivery.TestConfigs.message;
import static io.sluice.gateway.delivery.TestConfigs.spool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RemoteDeliveryTest {

    private ScriptedSmtpServer server;
    private MemorySpool spool;
    private DeliveryAgent agent;
    private final TestConfigs.Delivery cfg = new TestConfigs.Delivery();
    private final List<List<Integer>> localCalls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        server = new ScriptedSmtpServer();
        spool = new MemorySpool();
        cfg.relayTo(server.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    private void startAgent() {
        agent = new DeliveryAgent("gw.test", cfg.build(), TestConfigs.local(), spool, (entry, body, idx) -> {
            localCalls.add(idx);
            List<DeliveryResult> r = new ArrayList<>();
            for (int i : idx) {
                r.add(new DeliveryResult(i, RecipientState.DELIVERED, "250 2.0.0 delivered to maildir"));
            }
            return r;
        }, true);
        agent.start();
    }

    private void awaitFinished(MessageId id) throws InterruptedException {
        await("message " + id + " finished; events=" + spool.events, 30_000, () -> spool.isFinished(id));
    }

    /** DSNs are the committed messages from the null sender. */
    private List<SpoolEntry> dsns() {
        return spool.committed.stream().filter(e -> e.envelope().isNullSender()).toList();
    }

    @Test
    void shouldSendMailRcptAndDataInOneReadWhenPipeliningIsOffered() throws Exception {
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test", "b@remote.test", "c@remote.test"),
            message("pipelined", 2000));
        awaitFinished(id);
        String chunk = server.reads.stream().filter(r -> r.contains("MAIL FROM:")).findFirst().orElseThrow();
        assertTrue(chunk.contains("RCPT TO:<a@remote.test>") && chunk.contains("RCPT TO:<c@remote.test>")
            && chunk.endsWith("DATA\r\n"), "one read: " + chunk);
        assertEquals(1, server.messages.size());
        assertEquals(List.of("a@remote.test", "b@remote.test", "c@remote.test"), server.messages.get(0).rcpts());
        assertEquals(message("pipelined", 2000), server.messages.get(0).data(), "body arrives unstuffed intact");
        for (int i = 0; i < 3; i++) {
            assertEquals(RecipientState.DELIVERED, spool.state(id, i));
        }
        assertTrue(spool.events.stream().anyMatch(e -> e.state() == RecipientState.IN_FLIGHT), "marked in flight");
    }

    @Test
    void shouldPipelineTheNextMessageBehindTheBodyOnOneConnection() throws Exception {
        cfg.connectionsPerDestination = 1;
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(spool(spool, envelope("s@origin.test", "r" + i + "@remote.test"), message("queued" + i, 1500)));
        }
        startAgent(); // the replay queues all 20 at once: the worker takes several per turn
        for (MessageId id : ids) {
            awaitFinished(id);
        }
        assertEquals(20, server.messages.size());
        for (int i = 0; i < 20; i++) {
            int n = i;
            ScriptedSmtpServer.Received r = server.messages.stream()
                .filter(m -> m.rcpts().equals(List.of("r" + n + "@remote.test"))).findFirst().orElseThrow();
            assertEquals(message("queued" + i, 1500), r.data(), "body of message " + i);
            assertEquals(RecipientState.DELIVERED, spool.state(ids.get(i), 0));
        }
        assertEquals(1, server.connections.get());
        assertTrue(server.reads.stream().anyMatch(r -> r.contains("\r\n.\r\nMAIL FROM:<s@origin.test>")),
            "no read had a body's end followed by the next MAIL: " + server.reads.size() + " reads");
    }

    @Test
    void shouldKeepEachPipelinedMessagesOwnOutcome() throws Exception {
        cfg.connectionsPerDestination = 1;
        server.rcptReply = a -> a.startsWith("gone") ? "550 5.1.1 User unknown" : "250 2.1.5 Ok";
        server.dataReply = m -> m.data().contains("Subject: busy") ? "451 4.3.0 try again later"
            : "250 2.0.0 Ok: queued";
        String[] kinds = {"ok", "gone", "ok", "busy", "ok", "gone", "busy", "ok"};
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            String rcpt = (kinds[i].equals("gone") ? "gone" : "r") + i + "@remote.test";
            ids.add(spool(spool, envelope("s@origin.test", rcpt), message(kinds[i], 1200)));
        }
        startAgent();
        for (int i = 0; i < kinds.length; i++) {
            int n = i;
            RecipientState want = switch (kinds[i]) {
                case "gone" -> RecipientState.BOUNCED;
                case "busy" -> RecipientState.DEFERRED;
                default -> RecipientState.DELIVERED;
            };
            await("message " + i + " " + want + "; events=" + spool.events, 30_000,
                () -> spool.state(ids.get(n), 0) == want);
        }
        assertEquals(1, server.connections.get(), "one connection carried every outcome");
        long bodies = server.messages.stream().filter(m -> !m.data().contains("Subject: gone")).count();
        assertEquals(6, bodies, "every message with an accepted recipient sent its body once");
        await("two DSNs", 10_000, () -> dsns().size() == 2);
    }

    @Test
    void shouldWaitForEachReplyWhenPipeliningIsNotOffered() throws Exception {
        server.pipelining = false;
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test", "b@remote.test"), message("lockstep", 500));
        awaitFinished(id);
        String chunk = server.reads.stream().filter(r -> r.contains("MAIL FROM:")).findFirst().orElseThrow();
        assertFalse(chunk.contains("RCPT"), "MAIL waits for its reply: " + chunk);
        assertEquals(RecipientState.DELIVERED, spool.state(id, 1));
    }

    @Test
    void shouldRecordEachRecipientsReplyAndBounceTheFailedOnes() throws Exception {
        server.rcptReply = a -> a.startsWith("later") ? "450 4.2.0 mailbox busy"
            : a.startsWith("gone") ? "550 5.1.1 <" + a + ">: Recipient address rejected: User unknown"
            : "250 2.1.5 Ok";
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "later@remote.test", "gone@remote.test",
            "ok@remote.test"), message("mixed", 800));
        await("outcomes", 30_000, () -> spool.state(id, 0) == RecipientState.DEFERRED
            && spool.state(id, 1) == RecipientState.BOUNCED && spool.state(id, 2) == RecipientState.DELIVERED);
        RecipientStatus deferred = spool.entry(id).orElseThrow().recipients().get(0);
        assertTrue(deferred.lastReply().startsWith("450 4.2.0"), deferred.lastReply());
        assertTrue(deferred.nextAttemptEpochMs() > System.currentTimeMillis() + 30_000, "first retry after 1m");
        await("one DSN", 10_000, () -> dsns().size() == 1);
        SpoolEntry dsn = dsns().get(0);
        assertEquals("s@origin.test", dsn.envelope().recipients().get(0).address());
        String text = new String(spool.body(dsn.id()), StandardCharsets.UTF_8);
        assertTrue(text.contains("Final-Recipient: rfc822; gone@remote.test"), text);
        assertFalse(text.contains("Final-Recipient: rfc822; later@remote.test"), "deferred is not bounced");
        assertTrue(text.contains("Diagnostic-Code: smtp; 550 5.1.1"), text);
        assertTrue(text.contains("Status: 5.1.1"), text);
    }

    @Test
    void shouldReuseCachedConnectionsForManyMessages() throws Exception {
        cfg.connectionsPerDestination = 2;
        startAgent();
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(spool(spool, envelope("s@origin.test", "r" + i + "@remote.test"), message("m" + i, 1000)));
        }
        for (MessageId id : ids) {
            awaitFinished(id);
        }
        assertEquals(40, server.messages.size());
        assertTrue(server.connections.get() <= 2, "connections: " + server.connections.get());
        DestinationStats stats = agent.stats().get(0);
        assertEquals(40, stats.delivered(), stats.toString());
        assertTrue(stats.activeConnections() >= 1 && stats.activeConnections() <= 2, stats.toString());
    }

    @Test
    void shouldQuitCachedConnectionsOnClose() throws Exception {
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("close", 300));
        awaitFinished(id);
        assertEquals(0, server.quits.get(), "still cached");
        agent.close();
        await("QUIT on close", 10_000, () -> server.quits.get() == server.connections.get());
    }

    @Test
    void shouldShareTheGlobalConnectionLimitByEvictingIdleConnections() throws Exception {
        cfg.relayhost = null;
        cfg.maxConnections = 1;
        cfg.connectionsPerDestination = 1;
        try (ScriptedSmtpServer other = new ScriptedSmtpServer()) {
            cfg.routes.put("one.test", io.sluice.gateway.config.GatewayConfig.NextHop.parse("r", "[127.0.0.1]:" + server.port()));
            cfg.routes.put("two.test", io.sluice.gateway.config.GatewayConfig.NextHop.parse("r", "[127.0.0.1]:" + other.port()));
            startAgent();
            for (int round = 0; round < 3; round++) {
                MessageId a = spool(spool, envelope("s@origin.test", "a@one.test"), message("one" + round, 300));
                awaitFinished(a);
                MessageId b = spool(spool, envelope("s@origin.test", "b@two.test"), message("two" + round, 300));
                awaitFinished(b);
                assertEquals(RecipientState.DELIVERED, spool.state(b, 0));
            }
            assertEquals(3, server.messages.size());
            assertEquals(3, other.messages.size());
            assertTrue(server.quits.get() >= 2, "idle connection evicted with QUIT for the other destination");
        }
    }

    @Test
    void shouldSendOneDsnListingFailuresFromSeveralDestinations() throws Exception {
        cfg.relayhost = null;
        server.rcptReply = a -> "550 5.1.1 no such user";
        cfg.routes.put("one.test", io.sluice.gateway.config.GatewayConfig.NextHop.parse("r", "[127.0.0.1]:" + server.port()));
        cfg.routes.put("two.test", io.sluice.gateway.config.GatewayConfig.NextHop.parse("r", "[127.0.0.1]:" + server.port()));
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@one.test", "b@two.test"), message("two-dest", 300));
        awaitFinished(id);
        await("DSN", 10_000, () -> !dsns().isEmpty());
        assertEquals(1, dsns().size());
        String text = new String(spool.body(dsns().get(0).id()), StandardCharsets.UTF_8);
        assertTrue(text.contains("Final-Recipient: rfc822; a@one.test") && text.contains("Final-Recipient: rfc822; b@two.test"),
            text);
        // The DSN itself heads for origin.test (MX routing); the two failed domains shared one next hop.
        assertEquals(List.of("[127.0.0.1]:" + server.port()), agent.stats().stream().map(DestinationStats::destination)
            .filter(d -> !d.equals("origin.test")).toList(), "both domains share one next hop");
    }

    @Test
    void shouldNotLetAStalledDestinationHoldUpAnother() throws Exception {
        cfg.relayhost = null;
        cfg.connectionsPerDestination = 1;
        server.stallBeforeFinalReplyMs = 5_000;
        try (ScriptedSmtpServer fast = new ScriptedSmtpServer()) {
            cfg.routes.put("slow.test", io.sluice.gateway.config.GatewayConfig.NextHop.parse("r", "[127.0.0.1]:" + server.port()));
            cfg.routes.put("fast.test", io.sluice.gateway.config.GatewayConfig.NextHop.parse("r", "[127.0.0.1]:" + fast.port()));
            startAgent();
            List<MessageId> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(spool(spool, envelope("s@origin.test", "r" + i + "@slow.test"), message("slow" + i, 300)));
            }
            List<MessageId> quick = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                quick.add(spool(spool, envelope("s@origin.test", "r" + i + "@fast.test"), message("fast" + i, 300)));
            }
            for (MessageId id : quick) {
                awaitFinished(id);
            }
            assertFalse(spool.isFinished(slow.get(2)), "the slow destination is still busy with its first messages");
            assertEquals(20, fast.messages.size());
        }
    }

    @Test
    void shouldCloseIdleConnectionsWithQuit() throws Exception {
        cfg.idle = Duration.ofMillis(300);
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("idle", 300));
        awaitFinished(id);
        await("QUIT after idle time", 10_000, () -> server.quits.get() == 1);
        await("gauge back to 0", 5_000, () -> agent.stats().get(0).activeConnections() == 0);
    }

    @Test
    void shouldDropAnIdleDestinationAndMakeItAgainForTheNextMessage() throws Exception {
        cfg.idle = Duration.ofMillis(300);
        startAgent();
        awaitFinished(spool(spool, envelope("s@origin.test", "a@remote.test"), message("first", 300)));
        assertEquals(0, agent.evictIdleDestinations(System.nanoTime() + DeliveryAgent.DESTINATION_IDLE_NS),
            "its connection is still cached");
        await("cached connection closed", 10_000, () -> agent.stats().get(0).activeConnections() == 0);
        assertEquals(0, agent.evictIdleDestinations(System.nanoTime()), "used a moment ago");
        // Once its worker has stopped waiting for more (Destination.LINGER_MS):
        await("dropped", 10_000,
            () -> agent.evictIdleDestinations(System.nanoTime() + DeliveryAgent.DESTINATION_IDLE_NS) == 1);
        assertEquals(List.of(), agent.stats());

        awaitFinished(spool(spool, envelope("s@origin.test", "b@remote.test"), message("second", 300)));
        assertEquals(2, server.messages.size());
        assertEquals(1, agent.stats().size());
        assertEquals(1, agent.stats().get(0).delivered(), "a fresh destination counts from zero");
    }

    @Test
    void shouldSplitRecipientsIntoTransactionsOfTheConfiguredSize() throws Exception {
        cfg.recipientsPerTransaction = 100;
        startAgent();
        String[] rcpts = new String[250];
        for (int i = 0; i < rcpts.length; i++) {
            rcpts[i] = "u" + i + "@remote.test";
        }
        MessageId id = spool(spool, envelope("s@origin.test", rcpts), message("split", 500));
        awaitFinished(id);
        assertEquals(3, server.messages.size());
        assertEquals(250, server.messages.stream().mapToInt(m -> m.rcpts().size()).sum());
        assertEquals(100, server.messages.stream().mapToInt(m -> m.rcpts().size()).max().orElseThrow());
    }

    @Test
    void shouldDeferWhenTheConnectionDropsAtData() throws Exception {
        server.dropAtData = true;
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("drop", 300));
        await("deferred", 30_000, () -> spool.state(id, 0) == RecipientState.DEFERRED);
        String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.startsWith("451 4.4.2 lost connection with"), reply);
        assertTrue(dsns().isEmpty());
    }

    @Test
    void shouldDeferWhenTheServerStallsPastTheDataDoneTimeout() throws Exception {
        server.stallBeforeFinalReplyMs = 3_000;
        cfg.dataDoneTimeout = Duration.ofMillis(500);
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("stall", 300));
        await("deferred", 30_000, () -> spool.state(id, 0) == RecipientState.DEFERRED);
        String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.contains("timed out while sending end of data"), reply);
    }

    @Test
    void shouldDeferWhenNothingListens() throws Exception {
        // A socket bound but not listening holds the port: a connect to it is refused, and nothing else can take
        // the port meanwhile (a freshly closed one could be bound again, or be picked as the connecting socket's
        // own source port, a TCP self-connect).
        try (Socket holder = new Socket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = holder.getLocalPort();
            cfg.relayTo(port);
            startAgent();
            MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("refused", 300));
            try {
                await("deferred", 30_000, () -> spool.state(id, 0) == RecipientState.DEFERRED);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the recipient is " + spool.state(id, 0)
                    + ", last reply " + spool.entry(id).orElseThrow().recipients().get(0).lastReply(), e);
            }
            String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
            assertTrue(reply.startsWith("451 4.4.1 connect to 127.0.0.1[127.0.0.1]:" + port), reply);
        }
    }

    @Test
    void shouldBounceWithoutSendingWhenLargerThanThePeersSize() throws Exception {
        server.extensions = List.of("SIZE 1000");
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("big", 5000));
        awaitFinished(id);
        assertEquals(RecipientState.BOUNCED, spool.state(id, 0));
        String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.startsWith("552 5.3.4"), reply);
        assertTrue(server.commands.stream().noneMatch(c -> c.startsWith("MAIL")), "no MAIL sent");
    }

    @Test
    void shouldAnnounceSizeAndBodyTypeInMail() throws Exception {
        server.extensions = List.of("SIZE 100000", "8BITMIME");
        startAgent();
        Envelope base = envelope("s@origin.test", "a@remote.test");
        Envelope env = new Envelope(base.sender(), base.recipients(), base.client(), base.arrivalEpochMs(),
            "8BITMIME", false, null, null);
        MessageId id = spool(spool, env, message("size", 700));
        awaitFinished(id);
        String mail = server.messages.get(0).mailLine();
        assertTrue(mail.matches("MAIL FROM:<s@origin.test> SIZE=\\d+ BODY=8BITMIME"), mail);
    }

    @Test
    void shouldBounceSmtpUtf8MailWhenThePeerLacksIt() throws Exception {
        startAgent();
        Envelope base = envelope("s@origin.test", "a@remote.test");
        Envelope env = new Envelope(base.sender(), base.recipients(), base.client(), base.arrivalEpochMs(),
            "8BITMIME", true, null, null);
        MessageId id = spool(spool, env, message("utf8", 300));
        awaitFinished(id);
        String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.startsWith("553 5.6.7"), reply);
    }

    @Test
    void shouldFallBackToHeloWhenEhloIsRefused() throws Exception {
        server.refuseEhlo = true;
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("helo", 300));
        awaitFinished(id);
        assertEquals(RecipientState.DELIVERED, spool.state(id, 0));
        assertTrue(server.commands.contains("HELO gw.test"), server.commands.toString());
        assertEquals("MAIL FROM:<s@origin.test>", server.messages.get(0).mailLine(), "no ESMTP parameters");
    }

    @Test
    void shouldSendRawBodiesWithBdatWhenChunkingIsOffered() throws Exception {
        server.extensions = List.of("CHUNKING", "8BITMIME");
        startAgent();
        String msg = message("bdat", 3000);
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), msg, BodyForm.RAW);
        awaitFinished(id);
        assertTrue(server.commands.stream().anyMatch(c -> c.startsWith("BDAT ") && c.endsWith(" LAST")),
            server.commands.toString());
        assertEquals(msg, server.messages.get(0).data());
    }

    @Test
    void shouldSendAStuffedBodyUnstuffedWithItsCommandsInOneBdatWrite() throws Exception {
        server.extensions = List.of("CHUNKING", "8BITMIME");
        startAgent();
        String msg = message("one-write", 5000);
        assertTrue(msg.contains("\r\n.a line"), "the test message has lines that DATA stuffs");
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test", "b@remote.test"), msg);
        awaitFinished(id);
        int bytes = msg.getBytes(StandardCharsets.UTF_8).length;
        String read = server.reads.stream().filter(r -> r.contains("MAIL FROM:")).findFirst().orElseThrow();
        assertTrue(read.startsWith("MAIL FROM:<s@origin.test>") && read.contains("\r\nRCPT TO:<b@remote.test>")
            && read.contains("\r\nBDAT " + bytes + " LAST\r\n" + msg.substring(0, 40)), "one write: " + read);
        assertTrue(read.endsWith(msg.substring(msg.length() - 40)), "the body ends the same write");
        assertFalse(server.commands.contains("DATA"), server.commands.toString());
        assertEquals(msg, server.messages.get(0).data(), "the message itself, not its DATA wire form");
        assertEquals(RecipientState.DELIVERED, spool.state(id, 0));
        assertEquals(RecipientState.DELIVERED, spool.state(id, 1));
    }

    @Test
    void shouldKeepEachRecipientsReplyAndRecoverFromARefusedChunk() throws Exception {
        server.extensions = List.of("CHUNKING");
        server.rcptReply = a -> a.startsWith("gone") ? "550 5.1.1 <" + a + ">: User unknown"
            : a.startsWith("later") ? "450 4.2.0 mailbox busy" : "250 2.1.5 Ok";
        cfg.connectionsPerDestination = 1;
        startAgent();
        MessageId mixed = spool(spool, envelope("s@origin.test", "gone@remote.test", "ok@remote.test"),
            message("mixed-bdat", 900));
        awaitFinished(mixed);
        assertEquals(RecipientState.BOUNCED, spool.state(mixed, 0));
        assertEquals(RecipientState.DELIVERED, spool.state(mixed, 1));
        // Every recipient refused: the server drops the chunk with 554; the next message on the same connection
        // starts with RSET and goes through.
        MessageId refused = spool(spool, envelope("s@origin.test", "later@remote.test"), message("refused", 900));
        await("deferred", 30_000, () -> spool.state(refused, 0) == RecipientState.DEFERRED);
        assertTrue(spool.entry(refused).orElseThrow().recipients().get(0).lastReply().startsWith("450 4.2.0"));
        MessageId after = spool(spool, envelope("s@origin.test", "ok2@remote.test"), message("after", 900));
        awaitFinished(after);
        assertEquals(RecipientState.DELIVERED, spool.state(after, 0));
        assertTrue(server.commands.contains("RSET"), server.commands.toString());
        assertEquals(1, server.connections.get(), "one connection throughout");
        assertTrue(server.messages.stream().anyMatch(m -> m.data().equals(message("after", 900))));
    }

    @Test
    void shouldSendEachQueuedMessageWholeBehindThePreviousOneWithBdat() throws Exception {
        cfg.pipelineDepth = 2;
        deliverQueuedWithEveryFifthRefused("whole", 20, 1500);
        assertFalse(server.commands.contains("DATA"), server.commands.toString());
        assertTrue(server.reads.stream().anyMatch(r -> r.indexOf("BDAT ") >= 0
                && r.indexOf("RSET\r\nMAIL FROM:", r.indexOf("BDAT ")) > 0),
            "no read had a message followed by the next whole transaction: " + server.reads.size() + " reads");
    }

    @Test
    void shouldKeepAsManyMessagesInFlightAsThePipelineDepth() throws Exception {
        cfg.pipelineDepth = 4;
        deliverQueuedWithEveryFifthRefused("depth", 24, 1200);
        // Some write carried four transactions (a message and three whole behind it), and no read ever held more:
        // whatever arrives in one read is unanswered, and the client never has more than the depth unanswered. Not
        // necessarily the first write: the worker may take the first job before the replay has queued the rest.
        int most = server.reads.stream().mapToInt(r -> r.split("MAIL FROM:", -1).length - 1).max().orElseThrow();
        assertEquals(4, most, "most transactions in one read, over " + server.reads.size() + " reads");
    }

    /**
     * Spools {@code count} messages for one CHUNKING peer before the agent starts (the replay queues them all at
     * once, so the worker takes several per turn and sends them ahead on one connection), then checks each came out
     * right. Every fifth has only a refused recipient: its chunk is refused and the server keeps its MAIL (it
     * answers a second MAIL with 503), so whatever follows it on the wire needs its RSET.
     */
    private void deliverQueuedWithEveryFifthRefused(String subject, int count, int baseBytes) throws Exception {
        server.extensions = List.of("CHUNKING");
        server.rcptReply = a -> a.startsWith("gone") ? "550 5.1.1 <" + a + ">: User unknown" : "250 2.1.5 Ok";
        cfg.connectionsPerDestination = 1;
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String rcpt = (i % 5 == 2 ? "gone" : "r") + i + "@remote.test";
            ids.add(spool(spool, envelope("s@origin.test", rcpt), message(subject + i, baseBytes + 10 * i)));
        }
        startAgent();
        for (MessageId id : ids) {
            awaitFinished(id);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(i % 5 == 2 ? RecipientState.BOUNCED : RecipientState.DELIVERED, spool.state(ids.get(i), 0),
                "message " + i + ": " + spool.entry(ids.get(i)).orElseThrow().recipients().get(0).lastReply());
            if (i % 5 != 2) {
                int n = i;
                ScriptedSmtpServer.Received r = server.messages.stream()
                    .filter(m -> m.rcpts().equals(List.of("r" + n + "@remote.test"))).findFirst().orElseThrow();
                assertEquals(message(subject + i, baseBytes + 10 * i), r.data(), "body of message " + i);
            }
        }
        assertEquals(1, server.connections.get());
    }

    @Test
    void shouldSendOneMessageAtATimeWithADepthOfOne() throws Exception {
        server.extensions = List.of("CHUNKING");
        cfg.connectionsPerDestination = 1;
        cfg.pipelineDepth = 1;
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(spool(spool, envelope("s@origin.test", "r" + i + "@remote.test"), message("one" + i, 900)));
        }
        startAgent();
        for (MessageId id : ids) {
            awaitFinished(id);
            assertEquals(RecipientState.DELIVERED, spool.state(id, 0));
        }
        assertTrue(server.reads.stream().noneMatch(r -> r.contains("RSET\r\nMAIL FROM:")), server.reads.toString());
        assertEquals(6, server.commands.stream().filter(c -> c.startsWith("BDAT ")).count());
    }

    @Test
    void shouldDeferTheMessageInFlightAndResendTheOneBehindItWhenTheConnectionDrops() throws Exception {
        server.extensions = List.of("CHUNKING");
        server.dropAtBdat = 1;
        cfg.connectionsPerDestination = 1;
        cfg.pipelineDepth = 4;
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(spool(spool, envelope("s@origin.test", "r" + i + "@remote.test"), message("drop" + i, 800)));
        }
        startAgent(); // all four queued at once: the second goes out whole behind the first
        await("outcomes " + spool.events, 30_000, () -> spool.state(ids.get(0), 0) == RecipientState.DEFERRED
            && ids.stream().skip(1).allMatch(spool::isFinished));
        String reply = spool.entry(ids.get(0)).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.startsWith("451 4.4.2 lost connection with") && reply.contains("may be sent more than once"),
            reply);
        for (int i = 1; i < 4; i++) {
            assertEquals(RecipientState.DELIVERED, spool.state(ids.get(i), 0), "message " + i);
        }
        assertEquals(2, server.connections.get(), "the rest went on a new connection");
        assertEquals(3, server.messages.size());
        assertTrue(dsns().isEmpty());
    }

    @Test
    void shouldGiveEveryRecipientTheRefusalOfMailWithBdat() throws Exception {
        server.extensions = List.of("CHUNKING");
        server.mailReply = "550 5.7.1 sender refused";
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test", "b@remote.test"), message("nomail", 700));
        await("bounced", 30_000, () -> spool.state(id, 0) == RecipientState.BOUNCED
            && spool.state(id, 1) == RecipientState.BOUNCED);
        assertTrue(spool.entry(id).orElseThrow().recipients().get(1).lastReply().startsWith("550 5.7.1"),
            "the MAIL refusal, not the server's 503 to RCPT");
        assertTrue(server.messages.isEmpty());
    }

    @Test
    void shouldSendWithDataWhenChunkingIsOffButOrTheBodyTooLargeForOneWrite() throws Exception {
        server.extensions = List.of("CHUNKING");
        cfg.chunking = false;
        startAgent();
        MessageId small = spool(spool, envelope("s@origin.test", "a@remote.test"), message("off", 2000));
        awaitFinished(small);
        assertTrue(server.commands.contains("DATA") && server.commands.stream().noneMatch(c -> c.startsWith("BDAT")),
            server.commands.toString());
        agent.close();
        server.commands.clear();
        cfg.chunking = true;
        startAgent();
        String large = message("large", 200_000);
        MessageId big = spool(spool, envelope("s@origin.test", "a@remote.test"), large);
        awaitFinished(big);
        assertTrue(server.commands.contains("DATA"), "a stuffed body over 64 KB goes by DATA, straight from the spool");
        assertEquals(large, server.messages.get(1).data());
    }

    @Test
    void shouldDotStuffRawBodiesOnTheFlyWithoutChunking() throws Exception {
        startAgent();
        String msg = message("rawdata", 3000);
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), msg, BodyForm.RAW);
        awaitFinished(id);
        assertTrue(server.commands.contains("DATA"));
        assertEquals(msg, server.messages.get(0).data());
    }

    @Test
    void shouldRetryOnScheduleThenExpireAndSendOneParsableDsn() throws Exception {
        cfg.retrySchedule = List.of(Duration.ofMillis(200));
        cfg.maxQueueLifetime = Duration.ofSeconds(2);
        server.rcptReply = a -> "451 4.3.0 try again later";
        startAgent();
        Envelope base = envelope("s@origin.test", "a@remote.test", "b@remote.test");
        Envelope env = new Envelope(base.sender(), List.of(
            new io.sluice.spool.Recipient("a@remote.test", "rfc822;alias@origin.test", io.sluice.spool.Recipient.NOTIFY_DEFAULT),
            base.recipients().get(1)), base.client(), base.arrivalEpochMs(), "7BIT", false, "HDRS", "env-42");
        MessageId id = spool(spool, env, message("expire", 1000));
        awaitFinished(id);
        assertEquals(RecipientState.EXPIRED, spool.state(id, 0));
        assertEquals(RecipientState.EXPIRED, spool.state(id, 1));
        long attempts = spool.events.stream().filter(e -> e.id().equals(id) && e.index() == 0
            && e.state() == RecipientState.IN_FLIGHT).count();
        assertTrue(attempts >= 3, "retried every 200 ms for 2 s: " + attempts);
        await("one DSN", 10_000, () -> dsns().size() == 1);

        MimeMessage dsn = new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(spool.body(dsns().get(0).id())));
        assertTrue(dsn.getContentType().startsWith("multipart/report"), dsn.getContentType());
        assertTrue(dsn.getContentType().contains("report-type=delivery-status"), dsn.getContentType());
        assertEquals("<s@origin.test>", dsn.getHeader("To", ","));
        MimeMultipart mp = (MimeMultipart) dsn.getContent();
        assertEquals(3, mp.getCount());
        assertTrue(mp.getBodyPart(0).isMimeType("text/plain"));
        BodyPart status = mp.getBodyPart(1);
        assertTrue(status.isMimeType("message/delivery-status"), status.getContentType());
        String fields = read(status.getInputStream());
        assertTrue(fields.contains("Reporting-MTA: dns; gw.test"), fields);
        assertTrue(fields.contains("Original-Envelope-Id: env-42"), fields);
        assertTrue(fields.contains("Arrival-Date: "), fields);
        assertTrue(fields.contains("Original-Recipient: rfc822;alias@origin.test"), fields);
        assertTrue(fields.contains("Final-Recipient: rfc822; a@remote.test"), fields);
        assertTrue(fields.contains("Final-Recipient: rfc822; b@remote.test"), fields);
        assertTrue(fields.contains("Action: failed"), fields);
        assertTrue(fields.contains("Status: 4.3.0"), fields);
        assertTrue(fields.contains("Remote-MTA: dns; 127.0.0.1"), fields);
        assertTrue(fields.contains("Diagnostic-Code: smtp; 451 4.3.0 try again later"), fields);
        BodyPart returned = mp.getBodyPart(2);
        assertTrue(returned.isMimeType("text/rfc822-headers"), "RET=HDRS: " + returned.getContentType());
        String headers = read(returned.getInputStream());
        assertTrue(headers.contains("Subject: expire"), headers);
        assertFalse(headers.contains("Some body text"), headers);
    }

    @Test
    void shouldNotBounceABounce() throws Exception {
        server.rcptReply = a -> "550 5.1.1 no such user";
        startAgent();
        MessageId id = spool(spool, envelope("", "a@remote.test"), message("double-bounce", 300));
        awaitFinished(id);
        // The DSN decision precedes the BOUNCED record, so once finished nothing more can come.
        assertEquals(RecipientState.BOUNCED, spool.state(id, 0));
        assertTrue(dsns().stream().noneMatch(e -> !e.id().equals(id)), "no DSN for a null-sender message");
    }

    @Test
    void shouldHonourNotifyNeverAndSuccess() throws Exception {
        server.rcptReply = a -> a.startsWith("never") ? "550 5.1.1 no such user" : "250 2.1.5 Ok";
        startAgent();
        Envelope base = envelope("s@origin.test", "x@remote.test");
        Envelope env = new Envelope(base.sender(), List.of(
            new io.sluice.spool.Recipient("never@remote.test", null, io.sluice.spool.Recipient.NOTIFY_NEVER),
            new io.sluice.spool.Recipient("yes@remote.test", null, io.sluice.spool.Recipient.NOTIFY_SUCCESS)),
            base.client(), base.arrivalEpochMs(), "7BIT", false, null, null);
        MessageId id = spool(spool, env, message("notify", 300));
        awaitFinished(id);
        await("success DSN", 10_000, () -> dsns().size() == 1);
        String text = new String(spool.body(dsns().get(0).id()), StandardCharsets.UTF_8);
        assertTrue(text.contains("Action: relayed") && text.contains("yes@remote.test"), text);
        assertFalse(text.contains("never@remote.test"), text);
    }

    @Test
    void shouldLeaveSuccessNotificationsToAPeerThatOffersDsn() throws Exception {
        server.extensions = List.of("DSN");
        startAgent();
        Envelope base = envelope("s@origin.test", "x@remote.test");
        Envelope env = new Envelope(base.sender(), List.of(new io.sluice.spool.Recipient("yes@remote.test",
            "rfc822;yes@remote.test", io.sluice.spool.Recipient.NOTIFY_SUCCESS)), base.client(), base.arrivalEpochMs(),
            "7BIT", false, "HDRS", "env-7");
        MessageId id = spool(spool, env, message("dsn-peer", 300));
        awaitFinished(id);
        assertEquals("MAIL FROM:<s@origin.test> RET=HDRS ENVID=env-7", server.messages.get(0).mailLine());
        assertTrue(server.commands.contains("RCPT TO:<yes@remote.test> NOTIFY=SUCCESS ORCPT=rfc822;yes@remote.test"),
            server.commands.toString());
        assertTrue(dsns().isEmpty(), "the peer reports success itself");
    }

    @Test
    void shouldDeliverLocalDomainsThroughTheLocalTransport() throws Exception {
        startAgent();
        MessageId id = spool(spool, envelope("s@origin.test", "u1@local.test", "far@remote.test", "u2@LOCAL.test"),
            message("local", 300));
        awaitFinished(id);
        assertEquals(List.of(List.of(0, 2)), localCalls);
        assertEquals(List.of("far@remote.test"), server.messages.get(0).rcpts());
    }

    @Test
    void shouldScheduleRecoveredDeferredRecipientsAtTheirNextAttempt() throws Exception {
        long due = System.currentTimeMillis() + 3_000; // long enough that the queued one is surely done first
        byte[] body = TestConfigs.stuff(message("recovered", 300)).getBytes(StandardCharsets.UTF_8);
        SpoolEntry e = spool.putRecovered(envelope("s@origin.test", "a@remote.test", "b@remote.test"),
            BodyForm.DOT_STUFFED, body, List.of(new RecipientStatus(0, RecipientState.DEFERRED, 1, due, "451 later"),
                new RecipientStatus(1, RecipientState.QUEUED, 0, 0, "")));
        startAgent();
        await("queued one sent", 30_000, () -> spool.state(e.id(), 1) == RecipientState.DELIVERED);
        assertEquals(RecipientState.DEFERRED, spool.state(e.id(), 0), "not before its time");
        awaitFinished(e.id());
        assertTrue(System.currentTimeMillis() >= due);
        assertEquals(2, server.messages.size());
    }

    private static String read(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
