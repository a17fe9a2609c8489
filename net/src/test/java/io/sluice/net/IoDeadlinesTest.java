package io.sluice.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IoDeadlinesTest {

    @Test
    void shouldCloseTargetWhenDeadlinePasses() throws Exception {
        try (IoDeadlines deadlines = new IoDeadlines("test-deadlines")) {
            CountDownLatch closed = new CountDownLatch(1);
            IoDeadlines.Deadline d = deadlines.register(closed::countDown);
            d.arm(10);
            assertTrue(closed.await(20, TimeUnit.SECONDS), "target not closed");
            assertTrue(d.hasFired());
        }
    }

    @Test
    void shouldNeverFireDisarmedOrReleasedDeadlines() throws Exception {
        try (IoDeadlines deadlines = new IoDeadlines("test-deadlines")) {
            AtomicInteger closes = new AtomicInteger();
            IoDeadlines.Deadline disarmed = deadlines.register(closes::incrementAndGet);
            IoDeadlines.Deadline rearmed = deadlines.register(closes::incrementAndGet);
            for (int i = 0; i < 10_000; i++) {
                disarmed.arm(1_000);
                disarmed.disarm();
                rearmed.arm(1_000);
                rearmed.arm(600_000);
            }
            IoDeadlines.Deadline released = deadlines.register(closes::incrementAndGet);
            released.arm(1_000);
            released.release();
            Thread.sleep(1_000 + 5 * IoDeadlines.SWEEP_MS); // every short deadline above is now in the past
            assertEquals(0, closes.get(), "a deadline that was not due closed its target");
            assertFalse(disarmed.hasFired() || rearmed.hasFired() || released.hasFired());
            assertEquals(2, deadlines.registeredCount(), "released deadlines must not pile up");
        }
    }
}
