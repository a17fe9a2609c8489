package io.sluice.load.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sluice.load.cli.UsageException;

@Timeout(10)
class GeneratorOptionsTest {

    private static GeneratorOptions parse(String... args) {
        return GeneratorOptions.parse(args, 0);
    }

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void shouldRequireABound() {
        assertTrue(refusal("--target", "127.0.0.1:2525").contains("bounded"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--rate", "100").contains("bounded"));
    }

    @Test
    void shouldCapCountAndDuration() {
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "100000001").contains("--count"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--duration", "3h").contains("--duration"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "0").contains("--count"));
        assertEquals(100_000_000L, parse("--target", "127.0.0.1:2525", "--count", "100m").count());
        assertEquals(7_200_000_000_000L, parse("--target", "127.0.0.1:2525", "--duration", "2h").durationNs());
    }

    @Test
    void shouldRefuseNonLoopbackTargetBeforeAnythingElse() {
        assertTrue(refusal("--target", "192.0.2.1:25", "--count", "10").contains("loopback"));
        assertTrue(refusal("--target", "smtp.example.com:25", "--count", "10").contains("loopback"));
        assertTrue(refusal("--count", "10").contains("--target"));
    }

    @Test
    void shouldParseAFullCommandLine() {
        GeneratorOptions o = parse("--target", "127.0.0.1:2525", "--sessions", "50", "--count", "20k",
                "--duration", "60s", "--size", "1k-100k", "--recipients", "3", "--pipelining", "off",
                "--starttls", "on", "--rate", "500", "--messages-per-connection", "100", "--from", "a@b.test",
                "--to", "c@d.test", "--hlog", "/tmp/x.hlog", "--timeout=5s");
        assertEquals(50, o.sessions());
        assertEquals(20_000, o.count());
        assertEquals(60_000_000_000L, o.durationNs());
        assertEquals(new SizeDistribution(1024, 102400), o.size());
        assertEquals(3, o.recipients());
        assertFalse(o.pipelining());
        assertTrue(o.starttls());
        assertTrue(o.isOpenModel());
        assertEquals(500.0, o.ratePerSecond());
        assertEquals(100, o.messagesPerConnection());
        assertEquals(5000, o.timeoutMs());
        assertEquals("c@d.test", o.to());
    }

    @Test
    void shouldDefaultToClosedModelWith5kMessages() {
        GeneratorOptions o = parse("--target", "localhost:2525", "--count", "10");
        assertFalse(o.isOpenModel());
        assertEquals(5120, o.size().minBytes());
        assertTrue(o.pipelining());
    }

    @Test
    void shouldBoundHoldModeByDuration() {
        assertTrue(refusal("--target", "127.0.0.1:2525", "--hold", "100").contains("--duration"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--hold", "100", "--duration", "10s", "--count", "5")
                .contains("--hold"));
        GeneratorOptions o = parse("--target", "127.0.0.1:2525", "--hold", "10000", "--duration", "2m");
        assertTrue(o.isHold());
        assertEquals(10_000, o.hold());
    }

    @Test
    void shouldRefuseUnknownRepeatedOrMalformedOptions() {
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "1", "--sesions", "5").contains("--sesions"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "1", "--count", "2").contains("twice"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count").contains("needs a value"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "1", "--pipelining", "maybe").contains("on|off"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "1", "--to", "<x@y>").contains("--to"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "1", "--size", "100k-1k").contains("--size"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "1", "--sessions", "0").contains("--sessions"));
    }

    @Test
    void shouldParseWarmupAndRefuseBadValues() {
        assertEquals(0, parse("--target", "127.0.0.1:2525", "--count", "10").warmup());
        assertEquals(0, parse("--target", "127.0.0.1:2525", "--count", "10", "--warmup", "0").warmup());
        assertEquals(10_000, parse("--target", "127.0.0.1:2525", "--count", "10", "--warmup", "10k").warmup());
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "10", "--warmup", "-1").contains("--warmup"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "10", "--warmup", "lots").contains("--warmup"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "10", "--warmup", "100000001")
                .contains("--warmup"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--count", "10", "--warmup").contains("needs a value"));
        assertTrue(refusal("--target", "127.0.0.1:2525", "--warmup", "100").contains("bounded"),
                "a warm-up alone does not bound a run");
        assertTrue(refusal("--target", "127.0.0.1:2525", "--hold", "10", "--duration", "10s", "--warmup", "5")
                .contains("--warmup"));
        // Open model: 1000 messages at 10/s take 100 s, longer than the 10 s the run is bounded by.
        String tooLong = refusal("--target", "127.0.0.1:2525", "--duration", "10s", "--rate", "10", "--warmup",
                "1000");
        assertTrue(tooLong.contains("--warmup") && tooLong.contains("--rate"), tooLong);
        assertEquals(50, parse("--target", "127.0.0.1:2525", "--duration", "10s", "--rate", "10", "--warmup", "50")
                .warmup());
        for (String bad : new String[] {"-1", "lots", "100000001"}) {
            String m = refusal("--target", "127.0.0.1:2525", "--count", "10", "--warmup", bad);
            assertTrue(!m.contains("\n"), "one line: " + m);
        }
    }

    @Test
    void shouldReturnNullForHelp() {
        assertNull(parse("--help"));
    }
}
