package io.sluice.gateway.delivery;

import io.sluice.gateway.TestTls;
import io.sluice.gateway.config.GatewayConfig.TlsConfig;

import io.sluice.gateway.config.GatewayConfig.TlsPolicy;
import io.sluice.spool.BodyForm;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.util.List;

import static io.sluice.gateway.delivery.TestConfigs.await;
import static io.sluice.gateway.delivery.TestConfigs.envelope;
import static io.sluice.gateway.delivery.TestConfigs.message;
import static io.sluice.gateway.delivery.TestConfigs.spool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outbound STARTTLS against the scripted server with a self-signed certificate made by keytool at test time. */
@Timeout(90)
class StartTlsTest {

    @TempDir
    static Path keyDir;
    private static SSLContext serverTls;

    private ScriptedSmtpServer server;
    private MemorySpool spool;
    private DeliveryAgent agent;
    private final TestConfigs.Delivery cfg = new TestConfigs.Delivery();

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path ks = TestTls.selfSignedKeystore(keyDir, "localhost");
        serverTls = new TlsConfig(ks.toString(), TestTls.PASSWORD).loadServerContext();
    }

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

    private void startAgent(boolean trustAny) {
        agent = new DeliveryAgent("gw.test", cfg.build(), TestConfigs.local(), spool, (e, b, idx) -> List.of(), trustAny);
        agent.start();
    }

    @Test
    void shouldUpgradeOpportunisticallyAndSendBothBodyFormsThroughTls() throws Exception {
        server.tlsContext = serverTls;
        cfg.tls = TlsPolicy.OPPORTUNISTIC;
        startAgent(false); // opportunistic TLS does not verify, even outside tests
        String stuffedMsg = message("tls-stuffed", 70_000);
        String rawMsg = message("tls-raw", 3_000);
        MessageId a = spool(spool, envelope("s@origin.test", "a@remote.test"), stuffedMsg);
        MessageId b = spool(spool, envelope("s@origin.test", "b@remote.test"), rawMsg, BodyForm.RAW);
        await("delivered " + spool.events, 30_000, () -> spool.isFinished(a) && spool.isFinished(b));
        assertEquals(RecipientState.DELIVERED, spool.state(a, 0), spool.events.toString());
        assertEquals(RecipientState.DELIVERED, spool.state(b, 0), spool.events.toString());
        assertEquals(2, server.messages.size());
        for (ScriptedSmtpServer.Received r : server.messages) {
            assertTrue(r.isTls(), "sent after STARTTLS");
            assertEquals(r.rcpts().get(0).startsWith("a") ? stuffedMsg : rawMsg, r.data());
        }
        assertTrue(server.commands.contains("STARTTLS"));
        assertEquals(2L * server.connections.get(), server.commands.stream().filter(c -> c.startsWith("EHLO")).count(),
            "EHLO again after TLS, on every connection");
    }

    @Test
    void shouldSendQueuedMessagesWholeWithBdatThroughTls() throws Exception {
        server.tlsContext = serverTls;
        server.extensions = List.of("CHUNKING", "8BITMIME");
        cfg.tls = TlsPolicy.OPPORTUNISTIC;
        cfg.connectionsPerDestination = 1;
        List<MessageId> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(spool(spool, envelope("s@origin.test", "r" + i + "@remote.test"), message("tls-bdat" + i, 4_000)));
        }
        startAgent(false);
        await("delivered " + spool.events, 30_000, () -> ids.stream().allMatch(spool::isFinished));
        assertEquals(6, server.messages.size());
        for (ScriptedSmtpServer.Received r : server.messages) {
            assertTrue(r.isTls(), "sent after STARTTLS");
            assertEquals(message("tls-bdat" + r.rcpts().get(0).charAt(1), 4_000), r.data());
        }
        assertTrue(server.commands.stream().filter(c -> c.startsWith("BDAT ")).count() == 6
            && !server.commands.contains("DATA"), server.commands.toString());
    }

    @Test
    void shouldDeferWhenTlsIsRequiredButNotOffered() throws Exception {
        cfg.tls = TlsPolicy.OFF;
        cfg.tlsRequired = List.of("[127.0.0.1]:" + server.port());
        startAgent(true);
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("no-tls", 300));
        await("deferred", 30_000, () -> spool.state(id, 0) == RecipientState.DEFERRED);
        String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.startsWith("451 4.7.4 TLS is required"), reply);
        assertTrue(server.messages.isEmpty());
    }

    @Test
    void shouldVerifyTheCertificateWhereTlsIsRequired() throws Exception {
        server.tlsContext = serverTls;
        cfg.tls = TlsPolicy.REQUIRED;
        startAgent(false); // production verification: a self-signed certificate must fail
        MessageId id = spool(spool, envelope("s@origin.test", "a@remote.test"), message("verify", 300));
        await("deferred", 30_000, () -> spool.state(id, 0) == RecipientState.DEFERRED);
        String reply = spool.entry(id).orElseThrow().recipients().get(0).lastReply();
        assertTrue(reply.startsWith("421 4.7.5 TLS handshake with 127.0.0.1 failed"), reply);
        assertTrue(server.messages.isEmpty());
    }
}
