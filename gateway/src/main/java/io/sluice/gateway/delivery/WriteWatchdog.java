package io.sluice.gateway.delivery;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds blocking writes. A blocking {@code SocketChannel.write} (and {@code transferTo}) has no timeout, and a
 * peer that stops reading would hold a delivery thread forever; the watchdog closes the socket when a write
 * outlives its deadline, which makes the write fail. One daemon thread for the whole agent.
 */
final class WriteWatchdog implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "delivery-write-watchdog");
        t.setDaemon(true);
        return t;
    });

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
