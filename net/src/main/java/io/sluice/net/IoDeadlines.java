package io.sluice.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds blocking socket calls without the socket's own timeout: the gateway's relay connections (RFC 5321
 * 4.5.3.2 timeouts), SMTP sessions and POP3 sessions, and the load generator's and sink's connections. Each
 * connection holds one {@link Deadline}: arming it is one volatile write, and one sweeper thread runs the
 * connection's action (close the socket, or shut down its input) once a deadline has passed, which makes the
 * blocked call fail or see the end of the stream; the connection then reports a timeout ({@link Deadline#hasFired}).
 * Resolution is {@link #SWEEP_MS}, ample for timeouts of seconds to minutes. Thread-safe.
 *
 * <p>Why not {@code SO_TIMEOUT}: on a platform thread's blocking {@code SocketChannel} it makes the JDK switch the
 * socket to non-blocking and back around every read (the relay profile counted 8 fcntl calls and 2 polls per
 * message), and it does not bound writes at all. On a virtual thread every read becomes a timed park, which
 * schedules and then cancels a timer task with the carrier pool's delay scheduler thread and wakes that thread for
 * each: at 3,200 msgs/s it was the most-woken thread of the gateway, the generator and the sink alike (about one
 * context switch per message).
 */
public final class IoDeadlines implements AutoCloseable {

    public static final long SWEEP_MS = 100;
    private static final long DISARMED = 0;

    private final Set<Deadline> registered = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean isClosed;

    /** @param name the sweeper thread's name */
    public IoDeadlines(String name) {
        sweeper = new Thread(this::sweep, name);
        sweeper.setDaemon(true);
        sweeper.start();
    }

    /**
     * A deadline whose action, run once on the sweeper when it passes, is {@code target.close()}: close the socket,
     * or (a lambda) shut down its input. {@link Deadline#release} it with the connection.
     */
    public Deadline register(Closeable target) {
        Deadline d = new Deadline(target);
        registered.add(d);
        return d;
    }

    /** Connections registered and not yet released (tests: released ones must not pile up). */
    public int registeredCount() {
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

    /** One connection's deadline; armed by the connection's thread around each blocking call. */
    public final class Deadline {

        private final Closeable target;
        private final AtomicLong dueNs = new AtomicLong(DISARMED);
        private volatile boolean hasFired;

        private Deadline(Closeable target) {
            this.target = target;
        }

        public void arm(long timeoutMs) {
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            dueNs.set(due == DISARMED ? 1 : due);
        }

        public void disarm() {
            dueNs.set(DISARMED);
        }

        /** True once the deadline passed and the target was closed: the failure that followed is a timeout. */
        public boolean hasFired() {
            return hasFired;
        }

        /** What a failed blocking call means: {@code e} itself, or a timeout caused by it when this deadline fired. */
        public IOException timeoutOr(IOException e, String message) {
            if (!hasFired) {
                return e;
            }
            SocketTimeoutException t = new SocketTimeoutException(message);
            t.initCause(e);
            return t;
        }

        /** After a read saw the end of the stream: a timeout if it was this deadline's action that ended it. */
        public void throwIfFired(String message) throws SocketTimeoutException {
            if (hasFired) {
                throw new SocketTimeoutException(message);
            }
        }

        public void release() {
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
