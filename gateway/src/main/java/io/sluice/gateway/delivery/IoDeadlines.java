package io.sluice.gateway.delivery;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds every blocking read and write of outbound connections (RFC 5321 4.5.3.2 timeouts). A blocking
 * {@code SocketChannel} has no write timeout at all, and a read timeout through {@code SO_TIMEOUT} makes the JDK
 * switch the socket to non-blocking and back around every read: the relay profile counted 8 fcntl calls and 2
 * polls per message, the delivery threads' most frequent syscalls. Instead each connection holds one
 * {@link Deadline}: arming it is one volatile write, and one sweeper thread closes the socket of any deadline that
 * has passed, which makes the blocked call fail; the connection then reports a timeout. Resolution is
 * {@link #SWEEP_MS}, ample for timeouts of seconds to minutes. Thread-safe.
 */
final class IoDeadlines implements AutoCloseable {

    static final long SWEEP_MS = 100;
    private static final long DISARMED = 0;

    private final Set<Deadline> registered = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean isClosed;

    IoDeadlines() {
        sweeper = new Thread(this::sweep, "delivery-io-deadlines");
        sweeper.setDaemon(true);
        sweeper.start();
    }

    /** A deadline for {@code target} (closed when it passes); {@link Deadline#release} it with the connection. */
    Deadline register(Closeable target) {
        Deadline d = new Deadline(target);
        registered.add(d);
        return d;
    }

    /** Connections registered and not yet released (tests: released ones must not pile up). */
    int registeredCount() {
        return registered.size();
    }

    private void sweep() {
        while (!isClosed) {
            try {
                Thread.sleep(SWEEP_MS);
            } catch (InterruptedException e) {
                return;
            }
            long nowNs = System.nanoTime();
            for (Deadline d : registered) {
                d.fireIfDue(nowNs);
            }
        }
    }

    @Override
    public void close() {
        isClosed = true;
        sweeper.interrupt();
    }

    /** One connection's deadline; armed by its delivery thread around each blocking call. */
    final class Deadline {

        private final Closeable target;
        private final AtomicLong dueNs = new AtomicLong(DISARMED);
        private volatile boolean hasFired;

        private Deadline(Closeable target) {
            this.target = target;
        }

        void arm(long timeoutMs) {
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            dueNs.set(due == DISARMED ? 1 : due);
        }

        void disarm() {
            dueNs.set(DISARMED);
        }

        /** True once the deadline passed and the target was closed: the failure that followed is a timeout. */
        boolean hasFired() {
            return hasFired;
        }

        void release() {
            disarm();
            registered.remove(this);
        }

        private void fireIfDue(long nowNs) {
            long due = dueNs.get();
            // The CAS loses to a disarm or re-arm that raced with this check: a healthy connection is never closed.
            if (due != DISARMED && nowNs - due >= 0 && dueNs.compareAndSet(due, DISARMED)) {
                hasFired = true;
                try {
                    target.close();
                } catch (IOException ignored) {
                    // closing a stuck socket; nothing more to do
                }
            }
        }
    }
}
