package io.sluice.gateway.delivery;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds blocking writes. A blocking {@code SocketChannel.write} (and {@code transferTo}) has no timeout, and a
 * peer that stops reading would hold a delivery thread forever; the watchdog closes the socket when a write
 * outlives its deadline, which makes the write fail. One daemon thread for the whole agent.
 *
 * <p>Every body write arms a deadline and almost every one is cancelled within milliseconds. Without
 * remove-on-cancel a cancelled task stays in the executor's queue until its delay (data-block-timeout, minutes)
 * expires: the soak measured ~90,000 retained {@code ScheduledFutureTask}s at 165k messages relayed. With it the
 * queue holds only the writes in progress (at most one per delivery thread); removal is O(log n).
 */
final class WriteWatchdog implements AutoCloseable {

    private final ScheduledThreadPoolExecutor timer = newTimer();

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "delivery-write-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** Deadlines armed and not yet cancelled or fired (tests: cancelled ones must not pile up). */
    int armedCount() {
        return timer.getQueue().size();
    }

    /** Arms a deadline; cancel the returned handle when the write is done. */
    ScheduledFuture<?> arm(Closeable target, long timeoutMs, Runnable onFire) {
        return timer.schedule(() -> {
            onFire.run();
            try {
                target.close();
            } catch (IOException ignored) {
                // closing a stuck socket; nothing more to do
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
