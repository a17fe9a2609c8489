package io.sluice.load.generator;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLContext;

/**
 * Hold mode: one idle session on its own virtual thread. Connects (at most {@code connectPermits} at a time, so
 * 10,000 sessions ramp up without overflowing the server's accept backlog), says EHLO, then sleeps, sending a NOOP
 * every noop interval (with jitter, so 10,000 sessions do not NOOP in lockstep), until the deadline; then QUIT.
 * Small buffers: the point is to measure the server's memory per session, not ours.
 */
final class HoldSession implements Runnable {

    /** Counters of a hold run; {@code attempted} reaches the session count once every connect has been tried. */
    static final class Counts {
        final LongAdder attempted = new LongAdder();
        final LongAdder established = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder survived = new LongAdder();
        final LongAdder noops = new LongAdder();
    }

    private final GeneratorOptions o;
    private final GeneratorStats stats;
    private final Counts counts;
    private final Semaphore connectPermits;
    private final SSLContext tls;
    private final long deadlineNs;
    private final Runnable onExit;

    HoldSession(GeneratorOptions o, GeneratorStats stats, Counts counts, Semaphore connectPermits, SSLContext tls,
                long deadlineNs, Runnable onExit) {
        this.o = o;
        this.stats = stats;
        this.counts = counts;
        this.connectPermits = connectPermits;
        this.tls = tls;
        this.deadlineNs = deadlineNs;
        this.onExit = onExit;
    }

    @Override
    public void run() {
        try {
            ClientConnection conn = connect();
            if (conn != null) {
                hold(conn);
            }
        } finally {
            onExit.run();
        }
    }

    private ClientConnection connect() {
        try {
            connectPermits.acquire();
        } catch (InterruptedException e) {
            counts.attempted.increment();
            counts.failed.increment();
            return null;
        }
        try {
            ClientConnection c = ClientConnection.open(o.target(), o.timeoutMs(), o.ehloName(), tls, true);
            counts.established.increment();
            stats.openSessions.incrementAndGet();
            return c;
        } catch (SmtpReplyException e) {
            stats.unexpectedReply(e.code());
            counts.failed.increment();
            return null;
        } catch (IOException e) {
            stats.connectFailures.increment();
            counts.failed.increment();
            return null;
        } finally {
            counts.attempted.increment();
            connectPermits.release();
        }
    }

    private void hold(ClientConnection conn) {
        long intervalNs = o.noopIntervalNs();
        try (conn) {
            while (true) {
                long jitterNs = ThreadLocalRandom.current().nextLong(intervalNs / 2 + 1);
                long wakeNs = System.nanoTime() + intervalNs / 2 + jitterNs;
                if (wakeNs - deadlineNs >= 0) {
                    sleepUntil(deadlineNs);
                    break;
                }
                sleepUntil(wakeNs);
                conn.command("NOOP");
                int code = conn.readReply();
                counts.noops.increment();
                if (code / 100 != 2) {
                    stats.unexpectedReply(code);
                    if (code == 421) {
                        counts.dropped.increment();
                        return;
                    }
                }
            }
            conn.quit();
            counts.survived.increment();
        } catch (IOException e) {
            stats.disconnects.increment();
            counts.dropped.increment();
        } finally {
            stats.openSessions.decrementAndGet();
        }
    }

    private static void sleepUntil(long deadlineNs) {
        long waitNs;
        while ((waitNs = deadlineNs - System.nanoTime()) > 0) {
            LockSupport.parkNanos(waitNs);
        }
    }
}
