package io.sluice.gateway.delivery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.Closeable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriteWatchdogTest {

    @Test
    void shouldNotRetainCancelledDeadlines() {
        try (WriteWatchdog watchdog = new WriteWatchdog()) {
            AtomicBoolean fired = new AtomicBoolean();
            for (int i = 0; i < 10_000; i++) {
                ScheduledFuture<?> f = watchdog.arm(() -> { }, 600_000, () -> fired.set(true));
                f.cancel(false);
            }
            assertEquals(0, watchdog.armedCount(), "cancelled deadlines still queued");
            assertFalse(fired.get());
        }
    }

    @Test
    void shouldCloseTargetWhenDeadlinePasses() throws Exception {
        try (WriteWatchdog watchdog = new WriteWatchdog()) {
            CountDownLatch closed = new CountDownLatch(1);
            AtomicBoolean fired = new AtomicBoolean();
            Closeable target = closed::countDown;
            watchdog.arm(target, 10, () -> fired.set(true));
            assertTrue(closed.await(20, TimeUnit.SECONDS), "target not closed");
            assertTrue(fired.get());
        }
    }
}
