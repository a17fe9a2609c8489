package io.sluice.gateway.config;

import io.sluice.spool.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void shouldLoadEmbeddedDefaults() {
        GatewayConfig c = ConfigLoader.defaults();
        assertEquals("127.0.0.1", c.smtp().bind());
        assertEquals(2525, c.smtp().port());
        assertEquals(1110, c.pop3().port());
        assertEquals(Path.of("./data/spool"), c.spool().dir());
        assertEquals(Durability.FSYNC, c.spool().durability());
        assertEquals(Duration.ZERO, c.spool().commitWindow());
        assertEquals(Duration.ZERO, c.spool().toOptions(1).commitWindow());
        assertEquals(50L << 20, c.smtp().maxMessageBytes());
        assertEquals(1000, c.smtp().maxRecipients());
        assertNull(c.delivery().relayhost());
        assertEquals(List.of("localhost"), c.local().domains());
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1)), c.delivery().retrySchedule());
    }

    @Test
    void shouldAllowOnlyLoopbackToRelayByDefault() throws Exception {
        GatewayConfig c = ConfigLoader.defaults();
        assertTrue(c.relay().isAllowed(InetAddress.getByName("127.0.0.1")));
        assertTrue(c.relay().isAllowed(InetAddress.getByName("127.1.2.3")));
        assertTrue(c.relay().isAllowed(InetAddress.getByName("::1")));
        assertFalse(c.relay().isAllowed(InetAddress.getByName("192.0.2.1")));
        assertFalse(c.relay().isAllowed(InetAddress.getByName("2001:db8::1")));
    }

    @Test
    void shouldApplySetOverrides() {
        GatewayConfig c = ConfigLoader.load(null, List.of("smtp.port=2600", "spool.durability=os",
            "delivery.relayhost=[127.0.0.1]:2526", "relay.networks=[\"10.0.0.0/8\"]", "local.domains=[example.org, Example.NET]"));
        assertEquals(2600, c.smtp().port());
        assertEquals(Durability.OS, c.spool().durability());
        assertEquals(new GatewayConfig.NextHop("127.0.0.1", 2526, true), c.delivery().relayhost());
        assertEquals("10.0.0.0/8", c.relay().networks().get(0).text());
        assertEquals(List.of("example.org", "example.net"), c.local().domains());
    }

    @Test
    void shouldSetOneRouteOfTheTransportMap() {
        GatewayConfig c = ConfigLoader.load(null, List.of("delivery.routes.\"example.com\"=[127.0.0.9]:2525"));
        assertEquals(new GatewayConfig.NextHop("127.0.0.9", 2525, true), c.delivery().routes().get("example.com"));
    }

    @Test
    void shouldReadFileAndLetSetWinOverIt() throws Exception {
        Path file = dir.resolve("sluice.conf");
        Files.writeString(file, "smtp { port = 2700, max-recipients = 50 }\ndelivery.routes { \"example.com\" = \"[127.0.0.2]:2525\" }\n");
        GatewayConfig c = ConfigLoader.load(file, List.of("smtp.port=2800"));
        assertEquals(2800, c.smtp().port());
        assertEquals(50, c.smtp().maxRecipients());
        assertEquals(new GatewayConfig.NextHop("127.0.0.2", 2525, true), c.delivery().routes().get("example.com"));
    }

    @Test
    void shouldNameTheKeyWhenItIsUnknown() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("smtp.prot=25")));
        assertTrue(e.getMessage().contains("unknown config key \"smtp.prot\""), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean \"smtp.port\""), e.getMessage());
    }

    @Test
    void shouldNameTheKeyWhenPortIsNotANumber() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("smtp.port=abc")));
        assertTrue(e.getMessage().contains("smtp.port"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void shouldRejectPortOutOfRange() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("pop3.port=70000")));
        assertTrue(e.getMessage().startsWith("pop3.port"), e.getMessage());
    }

    @Test
    void shouldRejectMissingFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.conf"), List.of()));
        assertTrue(e.getMessage().contains("config file not found"), e.getMessage());
    }

    @Test
    void shouldRejectFileWithSyntaxError() throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "smtp { port = \n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of()));
        assertTrue(e.getMessage().contains("bad.conf"), e.getMessage());
    }

    @Test
    void shouldRefuseToBecomeAnOpenRelay() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(null, List.of("relay.networks=[\"0.0.0.0/0\"]")));
        assertTrue(e.getMessage().contains("open relay"), e.getMessage());
    }

    @Test
    void shouldRejectBadValues() {
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("spool.durability=sometimes")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("relay.networks=[\"10.0.0.0/33\"]")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("relay.networks=[\"example.com\"]")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("delivery.relayhost=[127.0.0.1")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("delivery.relayhost=[127.0.0.1]:x")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("smtp.max-message-size=lots")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("smtp.command-timeout=0s")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("delivery.tls=maybe")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("smtp.tls-port=465")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("noequals")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("delivery.pipeline-depth=0")));
        ConfigException depth = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(null, List.of("delivery.pipeline-depth=9")));
        assertTrue(depth.getMessage().contains("delivery.pipeline-depth: must be 1 to 8"), depth.getMessage());
        assertEquals(4, ConfigLoader.load(null, List.of("delivery.pipeline-depth=4")).delivery().pipelineDepth());
        ConfigException window = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(null, List.of("spool.commit-window=1s")));
        assertTrue(window.getMessage().startsWith("spool.commit-window"), window.getMessage());
        assertEquals(Duration.ofMillis(2),
            ConfigLoader.load(null, List.of("spool.commit-window=2ms")).spool().commitWindow());
    }

    @Test
    void shouldMatchCidrs() {
        Cidr net = Cidr.parse("k", "192.168.4.0/22");
        assertTrue(net.contains(addr("192.168.7.255")));
        assertFalse(net.contains(addr("192.168.8.0")));
        assertFalse(net.contains(addr("::1")));
        assertTrue(Cidr.parse("k", "2001:db8::/32").contains(addr("2001:db8:ffff::1")));
        assertTrue(Cidr.parse("k", "10.1.2.3").contains(addr("10.1.2.3")));
        assertFalse(Cidr.parse("k", "10.1.2.3").contains(addr("10.1.2.4")));
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
