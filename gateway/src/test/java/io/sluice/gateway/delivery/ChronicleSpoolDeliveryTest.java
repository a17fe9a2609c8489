package io.sluice.gateway.delivery;

import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.chronicle.ChronicleSpool;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static io.sluice.gateway.delivery.TestConfigs.await;
import static io.sluice.gateway.delivery.TestConfigs.envelope;
import static io.sluice.gateway.delivery.TestConfigs.message;
import static io.sluice.gateway.delivery.TestConfigs.spool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delivery against the real spool: outcomes, a DSN spooled and readable, deferred state surviving a restart. */
@Timeout(120)
class ChronicleSpoolDeliveryTest {

    @TempDir
    Path dir;

    private static SpoolOptions options(Path dir) {
        return new SpoolOptions(dir, Durability.OS, 50L << 20, 0, Duration.ofHours(1));
    }

    private static RecipientState state(Spool spool, MessageId id, int index) {
        return spool.entry(id).map(e -> e.recipients().get(index).state()).orElse(null);
    }

    @Test
    void shouldBounceIntoTheSpoolAndRetryDeferredRecipientsAfterARestart() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            server.rcptReply = a -> a.startsWith("gone") ? "550 5.1.1 no such user"
                : a.startsWith("later") ? "451 4.3.0 later" : "250 2.1.5 Ok";
            TestConfigs.Delivery cfg = new TestConfigs.Delivery().relayTo(server.port());
            cfg.retrySchedule = List.of(Duration.ofSeconds(1));
            MessageId id;
            try (Spool spool = ChronicleSpool.open(options(dir))) {
                DeliveryAgent agent = new DeliveryAgent("gw.test", cfg.build(), TestConfigs.local(), spool,
                    (e, b, idx) -> List.of(), true);
                agent.start();
                id = spool(spool, envelope("s@origin.test", "ok@remote.test", "gone@remote.test",
                    "later@remote.test"), message("chronicle", 4000));
                await("outcomes", 30_000, () -> state(spool, id, 0) == RecipientState.DELIVERED
                    && state(spool, id, 1) == RecipientState.BOUNCED && state(spool, id, 2) == RecipientState.DEFERRED);
                SpoolEntry dsn = awaitDsn(spool);
                try (MessageBody body = spool.openBody(dsn.id()).orElseThrow(); InputStream in = body.openMessageStream()) {
                    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), in);
                    MimeMultipart mp = (MimeMultipart) m.getContent();
                    assertEquals(3, mp.getCount());
                    assertTrue(mp.getBodyPart(2).isMimeType("message/rfc822"), "small message returned in full");
                }
                agent.close();
            }
            // Restart: the deferred recipient comes back through the listener replay and is tried when due.
            server.rcptReply = a -> "250 2.1.5 Ok";
            try (Spool spool = ChronicleSpool.open(options(dir))) {
                assertEquals(RecipientState.DEFERRED, state(spool, id, 2));
                DeliveryAgent agent = new DeliveryAgent("gw.test", cfg.build(), TestConfigs.local(), spool,
                    (e, b, idx) -> List.of(), true);
                agent.start();
                await("delivered after restart", 30_000, () -> state(spool, id, 2) == RecipientState.DELIVERED);
                assertEquals(2, spool.entry(id).orElseThrow().recipients().get(2).attempts());
                agent.close();
            }
        }
    }

    private static SpoolEntry awaitDsn(Spool spool) throws InterruptedException {
        List<SpoolEntry> found = new ArrayList<>();
        await("DSN spooled", 30_000, () -> {
            found.clear();
            spool.entries().stream().filter(e -> e.envelope().isNullSender()).forEach(found::add);
            return !found.isEmpty();
        });
        return found.get(0);
    }
}
