package io.sluice.gateway.delivery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DestinationTest {

    private static final long IDLE_NS = TimeUnit.MINUTES.toNanos(10);
    private static final long LATER = TimeUnit.HOURS.toNanos(1);

    private static Job job() {
        return new Job(null, new int[] {0}, null, null);
    }

    @Test
    void shouldRetireOnlyAfterTheIdleTime() {
        Destination d = new Destination("d", 2, new DeliveryThreads(2), (dest, jobs) -> { });
        long now = System.nanoTime();
        assertFalse(d.retireIfIdle(now, IDLE_NS), "just made");
        assertTrue(d.retireIfIdle(now + IDLE_NS + 1, IDLE_NS));
        assertFalse(d.enqueue(job()), "a retired destination takes no jobs");
    }

    @Test
    void shouldNotRetireWhileAJobRunsOrAConnectionIsOpen() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch processed = new CountDownLatch(1);
        Destination d = new Destination("d", 1, new DeliveryThreads(2), (dest, jobs) -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            processed.countDown();
        });
        assertTrue(d.enqueue(job()));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        assertFalse(d.retireIfIdle(System.nanoTime() + LATER, IDLE_NS), "a worker is running a job");
        d.connectionOpened();
        release.countDown();
        assertTrue(processed.await(10, TimeUnit.SECONDS));
        // The worker lingers for the next job (LINGER_MS), then ends; the connection stays open (cached).
        Thread.sleep(Destination.LINGER_MS + 500);
        assertFalse(d.retireIfIdle(System.nanoTime() + LATER, IDLE_NS), "a cached connection is still open");
        d.connectionClosed();
        assertFalse(d.retireIfIdle(System.nanoTime(), IDLE_NS), "idle time counts from the connection's close");
        assertTrue(d.retireIfIdle(System.nanoTime() + LATER, IDLE_NS));
    }

    @Test
    void shouldNotRetireWithJobsQueued() {
        // No thread may start (0 allowed), so the job stays queued.
        Destination d = new Destination("d", 0, new DeliveryThreads(1), (dest, jobs) -> fail("no worker may run"));
        assertTrue(d.enqueue(job()));
        assertFalse(d.retireIfIdle(System.nanoTime() + LATER, IDLE_NS));
    }
}
