package io.sluice.gateway.delivery;

import io.sluice.gateway.config.GatewayConfig.NextHop;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Rcode;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.sluice.gateway.delivery.TestConfigs.await;
import static io.sluice.gateway.delivery.TestConfigs.envelope;
import static io.sluice.gateway.delivery.TestConfigs.message;
import static io.sluice.gateway.delivery.TestConfigs.spool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MX routing against a DNS responder started on 127.0.0.1 inside the test; no real resolver is ever asked. */
@Timeout(60)
class MxResolverTest {

    private TestDnsServer dns;
    private MxResolver resolver;

    @BeforeEach
    void setUp() throws Exception {
        dns = new TestDnsServer();
        resolver = new MxResolver(dns.address(), Duration.ofSeconds(2));
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private static List<String> hosts(MxResolver.Resolution r) {
        return r.targets().stream().map(t -> t.hostName() + "/" + t.address().getAddress().getHostAddress()).toList();
    }

    @Test
    void shouldOrderByPreferenceAndShuffleEqualPreferences() throws Exception {
        dns.add("multi.test. MX 10 mx-a.multi.test.");
        dns.add("multi.test. MX 10 mx-b.multi.test.");
        dns.add("multi.test. MX 20 backup.multi.test.");
        dns.add("mx-a.multi.test. A 127.0.0.2");
        dns.add("mx-b.multi.test. A 127.0.0.3");
        dns.add("backup.multi.test. A 127.0.0.4");
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 64 && firsts.size() < 2; i++) {
            MxResolver.Resolution r = resolver.resolve("multi.test", 2525, false);
            assertTrue(r.isOk(), String.valueOf(r.failure()));
            List<String> h = hosts(r);
            assertEquals(3, h.size(), h.toString());
            assertEquals("backup.multi.test/127.0.0.4", h.get(2), "the higher preference value comes last");
            assertEquals(2525, r.targets().get(0).address().getPort());
            firsts.add(h.get(0));
        }
        assertEquals(Set.of("mx-a.multi.test/127.0.0.2", "mx-b.multi.test/127.0.0.3"), firsts,
            "equal preferences are tried in random order");
    }

    @Test
    void shouldFallBackToTheAddressRecordWithoutMx() throws Exception {
        dns.add("plain.test. A 127.0.0.5");
        MxResolver.Resolution r = resolver.resolve("plain.test", 25, false);
        assertTrue(r.isOk(), String.valueOf(r.failure()));
        assertEquals(List.of("plain.test/127.0.0.5"), hosts(r));
    }

    @Test
    void shouldBounceANullMx() throws Exception {
        dns.add("nomail.test. MX 0 .");
        MxResolver.Resolution r = resolver.resolve("nomail.test", 25, false);
        assertEquals(556, r.failure().code(), r.failure().toString());
        assertTrue(r.failure().toString().startsWith("556 5.1.10"), r.failure().toString());
    }

    @Test
    void shouldDeferOnServfail() throws Exception {
        dns.fail("broken.test.", Rcode.SERVFAIL);
        MxResolver.Resolution r = resolver.resolve("broken.test", 25, false);
        assertTrue(r.failure().isTransient(), r.failure().toString());
        assertTrue(r.failure().toString().startsWith("451 4.4.3"), r.failure().toString());
    }

    @Test
    void shouldDeferWhenTheResolverDoesNotAnswer() throws Exception {
        MxResolver silent = new MxResolver("127.0.0.1:9", Duration.ofMillis(300)); // discard port: no answer
        MxResolver.Resolution r = silent.resolve("timeout.test", 25, false);
        assertTrue(r.failure().isTransient(), r.failure().toString());
    }

    @Test
    void shouldBounceNxdomain() throws Exception {
        MxResolver.Resolution r = resolver.resolve("nowhere.test", 25, false);
        assertTrue(r.failure().toString().startsWith("550 5.1.2"), r.failure().toString());
    }

    @Test
    void shouldUseAddressRecordsDirectlyForBracketedHosts() throws Exception {
        dns.add("relay.test. MX 10 elsewhere.test.");
        dns.add("relay.test. A 127.0.0.6");
        MxResolver.Resolution r = resolver.resolve("relay.test", 2526, true);
        assertEquals(List.of("relay.test/127.0.0.6"), hosts(r));
    }

    @Test
    void shouldCacheAnswersForTheirTtl() throws Exception {
        dns.add("cached.test. MX 10 mx.cached.test.");
        dns.add("mx.cached.test. A 127.0.0.7");
        resolver.resolve("cached.test", 25, false);
        int after = dns.queries.get();
        resolver.resolve("cached.test", 25, false);
        assertEquals(after, dns.queries.get(), "second lookup served from the cache");
    }

    @Test
    void shouldDeliverThroughTheMxAndTryTheNextOneWhenTheFirstIsDown() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            // Both MX hosts resolve to loopback addresses; only 127.0.0.1 listens on the port, so whichever
            // order the shuffle picks, a connection failure to 127.0.0.9 moves on to the next MX.
            dns.add("dest.test. MX 10 down.dest.test.");
            dns.add("dest.test. MX 20 up.dest.test.");
            dns.add("down.dest.test. A 127.0.0.9");
            dns.add("up.dest.test. A 127.0.0.1");
            dns.add("nomx.test. MX 0 .");
            dns.fail("flaky.test.", Rcode.SERVFAIL);
            TestConfigs.Delivery cfg = new TestConfigs.Delivery();
            cfg.dnsResolver = dns.address();
            cfg.routes.put("dest.test", NextHop.parse("delivery.routes", "dest.test:" + server.port()));
            cfg.routes.put("nomx.test", NextHop.parse("delivery.routes", "nomx.test:" + server.port()));
            cfg.routes.put("flaky.test", NextHop.parse("delivery.routes", "flaky.test:" + server.port()));
            MemorySpool spool = new MemorySpool();
            DeliveryAgent agent = new DeliveryAgent("gw.test", cfg.build(), TestConfigs.local(), spool,
                (e, b, idx) -> List.of(), true);
            agent.start();
            try {
                MessageId id = spool(spool, envelope("s@origin.test", "a@dest.test", "b@nomx.test", "c@flaky.test"),
                    message("mx", 500));
                await("outcomes " + spool.events, 30_000, () -> spool.state(id, 0) == RecipientState.DELIVERED
                    && spool.state(id, 1) == RecipientState.BOUNCED && spool.state(id, 2) == RecipientState.DEFERRED);
                assertEquals(List.of("a@dest.test"), server.messages.get(0).rcpts());
                assertTrue(spool.entry(id).orElseThrow().recipients().get(1).lastReply().startsWith("556 5.1.10"));
                assertFalse(agent.stats().isEmpty());
            } finally {
                agent.close();
            }
        }
    }
}
