package io.sluice.gateway.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Wakes deferred messages when they are due: one pending wake-up per message (the earliest), kept in a
 * {@link DelayQueue} drained by one virtual thread. On fire, the agent re-reads the message from the spool and
 * dispatches the recipients whose time has come. Wall-clock based, because the due times are stored in the spool
 * as epoch milliseconds and survive restarts. Thread-safe.
 */
final class RetryTimer implements AutoCloseable {

    private record Due(long messageId, long dueEpochMs) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueEpochMs - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueEpochMs, ((Due) o).dueEpochMs);
        }
    }

    private final DelayQueue<Due> queue = new DelayQueue<>();
    private final Map<Long, Long> pending = new ConcurrentHashMap<>();
    private final LongConsumer onDue;
    private Thread thread;

    /** @param onDue called with the message id (on the timer's virtual thread) when it is due */
    RetryTimer(LongConsumer onDue) {
        this.onDue = onDue;
    }

    void start() {
        thread = Thread.ofVirtual().name("delivery-retry-timer").start(this::run);
    }

    /** Schedules a wake-up unless an earlier one is already pending for the message. */
    void schedule(long messageId, long dueEpochMs) {
        boolean[] isNew = {false};
        pending.compute(messageId, (id, existing) -> {
            if (existing != null && existing <= dueEpochMs) {
                return existing;
            }
            isNew[0] = true;
            return dueEpochMs;
        });
        if (isNew[0]) {
            queue.add(new Due(messageId, dueEpochMs));
        }
    }

    int pendingCount() {
        return pending.size();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Due due = queue.take();
                // A later schedule() may have replaced this wake-up with an earlier one, already fired.
                if (pending.remove(due.messageId(), due.dueEpochMs())) {
                    onDue.accept(due.messageId());
                }
            }
        } catch (InterruptedException e) {
            // shutdown
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
