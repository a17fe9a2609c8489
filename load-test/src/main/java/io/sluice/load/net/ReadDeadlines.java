package io.sluice.load.net;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read timeouts for the generator's and the sink's connections without {@code SO_TIMEOUT}: each connection arms
 * its {@link Deadline} before a blocking read and disarms it after; one daemon sweeper closes the socket of a
 * deadline that has passed, which ends the read, and {@link Deadline#check} turns that into a
 * {@link SocketTimeoutException}. Resolution {@link #SWEEP_MS}.
 *
 * <p>Why: on a virtual thread a read under {@code SO_TIMEOUT} is a timed park, which hands a timer task to the
 * carrier pool's delay-scheduler thread and wakes it, once to schedule and again to cancel. At 3,200 msgs/s that
 * thread was the most-woken thread of the generator and of the sink (about one context switch per message), CPU
 * the tools took from the server under test on a small machine. (The gateway has its own, richer version of this
 * in {@code io.sluice.gateway.io.IoDeadlines}; the load tools do not depend on the gateway.)
 */
public final class ReadDeadlines {

    static final long SWEEP_MS = 100;
    private static final long DISARMED = 0;
    private static final ReadDeadlines SHARED = new ReadDeadlines();

    private final Set<Deadline> registered = ConcurrentHashMap.newKeySet();

    private ReadDeadlines() {
        Thread sweeper = new Thread(this::sweep, "load-read-deadlines");
        sweeper.setDaemon(true);
        sweeper.start();
    }

    /** A deadline that closes {@code socket} when it passes; {@link Deadline#release} it when the socket closes. */
    public static Deadline register(Socket socket) {
        Deadline d = SHARED.new Deadline(socket);
        SHARED.registered.add(d);
        return d;
    }

    static int registeredCount() {
        return SHARED.registered.size();
    }

    private void sweep() {
        while (true) {
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

    /** One connection's read deadline; used by the connection's own thread. */
    public final class Deadline {

        private final Socket socket;
        private final AtomicLong dueNs = new AtomicLong(DISARMED);
        private volatile boolean hasFired;

        private Deadline(Socket socket) {
            this.socket = socket;
        }

        public void arm(int timeoutMs) {
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            dueNs.set(due == DISARMED ? 1 : due);
        }

        public void disarm() {
            dueNs.set(DISARMED);
        }

        /** After a read failed or saw the end of the stream: a timeout if this deadline cut it short. */
        public void check() throws SocketTimeoutException {
            if (hasFired) {
                throw new SocketTimeoutException("read timed out");
            }
        }

        public void release() {
            disarm();
            registered.remove(this);
        }

        private void fireIfDue(long nowNs) {
            long due = dueNs.get();
            // Loses to a disarm or re-arm that raced with this check: a healthy connection is never closed.
            if (due != DISARMED && nowNs - due >= 0 && dueNs.compareAndSet(due, DISARMED)) {
                hasFired = true;
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a stuck socket; nothing more to do
                }
            }
        }
    }
}
