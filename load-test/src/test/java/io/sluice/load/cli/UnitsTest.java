package io.sluice.load.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UnitsTest {

    @Test
    void shouldParseSizesIn1024Units() {
        assertEquals(5120, Units.parseSize("5k", "--size"));
        assertEquals(5120, Units.parseSize("5KB", "--size"));
        assertEquals(1024 * 1024, Units.parseSize("1m", "--size"));
        assertEquals(777, Units.parseSize("777", "--size"));
    }

    @Test
    void shouldParseCountsIn1000Units() {
        assertEquals(20_000, Units.parseCount("20k", "--count"));
        assertEquals(20_000, Units.parseCount("20,000", "--count"));
        assertEquals(2_000_000, Units.parseCount("2m", "--count"));
    }

    @Test
    void shouldParseDurations() {
        assertEquals(60_000_000_000L, Units.parseDurationNs("60s", "--duration"));
        assertEquals(60_000_000_000L, Units.parseDurationNs("1m", "--duration"));
        assertEquals(60_000_000_000L, Units.parseDurationNs("60", "--duration"));
        assertEquals(500_000_000L, Units.parseDurationNs("500ms", "--duration"));
        assertEquals(3_600_000_000_000L, Units.parseDurationNs("1h", "--duration"));
    }

    @Test
    void shouldRefuseGarbage() {
        assertThrows(UsageException.class, () -> Units.parseSize("five", "--size"));
        assertThrows(UsageException.class, () -> Units.parseDurationNs("-5s", "--duration"));
        assertThrows(UsageException.class, () -> Units.parseCount("", "--count"));
        assertThrows(UsageException.class, () -> Units.parseCount("99999999999999999999", "--count"));
    }
}
