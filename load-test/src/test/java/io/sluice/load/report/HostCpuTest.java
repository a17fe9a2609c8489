package io.sluice.load.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCpuTest {

    @TempDir
    Path dir;

    @Test
    void shouldCountIrqAsBusyAndIowaitAsIdleAndStealApart() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        HostCpu c = HostCpu.parse("cpu  100 2 30 500 40 0 8 5 7 0");
        assertEquals(new HostCpu(140, 540, 5), c);
    }

    @Test
    void shouldGiveSharesOfAllTheTimeBetweenTwoSamples() {
        HostCpu before = HostCpu.parse("cpu  1000 0 500 8000 100 0 0 10 0 0");
        HostCpu after = HostCpu.parse("cpu  1700 0 800 8100 100 0 0 110 0 0");
        HostCpu.Share s = after.since(before);
        // busy 1,000 ticks, idle 100, steal 100: of 1,200
        assertEquals(1000 * 100.0 / 1200, s.busyPct(), 1e-9);
        assertEquals(100 * 100.0 / 1200, s.stealPct(), 1e-9);
        assertEquals("host_busy_pct=83.3 host_steal_pct=8.3", s.keyValues());
        assertNull(after.since(after), "no time passed: no share");
    }

    @Test
    void shouldGiveNothingForWhatIsNotTheAggregateLine() throws Exception {
        assertNull(HostCpu.parse("cpu0 1 2 3 4 5 6 7 8 9 10"));
        assertNull(HostCpu.parse("cpu  1 2 3"), "kernels before 2.6.11 had no steal column");
        assertNull(HostCpu.parse("cpu  1 2 x 4 5 6 7 8"));
        assertNull(HostCpu.parse(""));
        assertNull(HostCpu.sample(dir.resolve("missing")));
        Path empty = Files.createFile(dir.resolve("stat"));
        assertNull(HostCpu.sample(empty));
    }

    @Test
    void shouldReadThisMachinesCounters() {
        assumeTrue(Files.exists(Path.of("/proc/stat")), "Linux only");
        HostCpu c = HostCpu.sample();
        assertNotNull(c);
        assertTrue(c.busy() > 0 && c.idle() >= 0 && c.steal() >= 0, c.toString());
    }
}
