package io.sluice.gateway.delivery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeliveryThreadsTest {

    @Test
    void shouldServeEveryDestinationWhenThreadsAreCapped() throws Exception {
        int destinations = 5;
        int jobsEach = 20;
        DeliveryThreads threads = new DeliveryThreads(2);
        CountDownLatch done = new CountDownLatch(destinations * jobsEach);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        Map<String, AtomicInteger> perDestination = new ConcurrentHashMap<>();
        Destination[] ds = new Destination[destinations];
        for (int i = 0; i < destinations; i++) {
            ds[i] = new Destination("d" + i, 20, threads, (d, jobs) -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                assertTrue(jobs.size() <= Destination.MAX_JOBS_PER_TAKE, "took " + jobs.size());
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                perDestination.computeIfAbsent(d.key(), k -> new AtomicInteger()).addAndGet(jobs.size());
                running.decrementAndGet();
                jobs.forEach(job -> done.countDown());
            });
        }
        for (int j = 0; j < jobsEach; j++) {
            for (Destination d : ds) {
                d.enqueue(new Job(null, new int[] {0}, null, null));
            }
        }
        assertTrue(done.await(50, TimeUnit.SECONDS), "jobs left: " + done.getCount() + " done " + perDestination);
        assertTrue(maxRunning.get() <= 2, "threads over the cap: " + maxRunning.get());
        for (Destination d : ds) {
            assertEquals(jobsEach, perDestination.get(d.key()).get(), d.key());
        }
    }
}
