package io.sluice.spool.chronicle;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SlowForcesTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private final SlowForces slow = new SlowForces(100 * MS, 10 * S);

    @Test
    void shouldNeverReportFastForces() {
        for (int i = 0; i < 10_000; i++) {
            assertNull(slow.record(99 * MS, i * MS));
        }
        assertNull(slow.due(3_600 * S));
        assertEquals(0, slow.total());
    }

    @Test
    void shouldReportTheFirstSlowForceAtOnce() {
        assertNull(slow.record(2 * MS, 5 * S));
        SlowForces.Report r = slow.record(100 * MS, 6 * S);
        assertEquals(new SlowForces.Report(1, 100 * MS, 100 * MS), r);
        assertNull(slow.due(7 * S), "nothing new to report");
        assertEquals(1, slow.total());
    }

    @Test
    void shouldGatherSlowForcesWithinAnIntervalIntoOneLine() {
        assertNotNull(slow.record(150 * MS, 1 * S));
        assertNull(slow.record(300 * MS, 2 * S));
        assertNull(slow.record(5 * MS, 3 * S));
        assertNull(slow.record(737 * MS, 4 * S));
        assertNull(slow.record(120 * MS, 10 * S), "still inside the interval after the first report");
        assertNull(slow.due(10 * S + 999 * MS));

        SlowForces.Report r = slow.due(11 * S);
        assertEquals(3, r.forces());
        assertEquals(737 * MS, r.longestNs(), "the longest since the last report");
        assertNull(slow.due(30 * S), "reported once");
        assertEquals(4, slow.total());
    }

    @Test
    void shouldStartAFreshCountAfterEachReport() {
        slow.record(400 * MS, 0);
        slow.record(200 * MS, 1 * S);
        assertEquals(new SlowForces.Report(1, 200 * MS, 100 * MS), slow.due(10 * S));
        SlowForces.Report r = slow.record(101 * MS, 25 * S);
        assertEquals(new SlowForces.Report(1, 101 * MS, 100 * MS), r, "a new interval: reported at once, longest reset");
    }
}
