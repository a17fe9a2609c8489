package io.sluice.gateway.delivery;

import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Idle outbound connections, keyed by the remote address and port, so the next message for the same host reuses
 * a connection instead of paying TCP, greeting, EHLO and TLS again (Postfix's scache). Limits: a connection is
 * retired with QUIT after {@code delivery.messages-per-connection} transactions or
 * {@code delivery.connection-idle-time} unused; the total of open connections (busy and idle) is bounded by
 * {@code delivery.max-connections} permits, and an idle connection is evicted when a new one needs its permit.
 * Most-recently-used first, so surplus connections age out. Thread-safe.
 */
final class ConnectionCache implements AutoCloseable {

    private final Map<InetSocketAddress, Deque<RemoteSmtpClient>> idle = new ConcurrentHashMap<>();
    private final Semaphore permits;
    private final int maxTransactions;
    private final long idleTimeNs;
    private volatile boolean isClosed;

    ConnectionCache(int maxConnections, int maxTransactions, long idleTimeNs) {
        this.permits = new Semaphore(maxConnections);
        this.maxTransactions = maxTransactions;
        this.idleTimeNs = idleTimeNs;
    }

    /** An idle connection to {@code address}, or null. */
    RemoteSmtpClient take(InetSocketAddress address, long nowNs) {
        Deque<RemoteSmtpClient> q = idle.get(address);
        if (q == null) {
            return null;
        }
        RemoteSmtpClient c;
        while ((c = q.pollFirst()) != null) {
            if (!c.isBroken() && nowNs - c.idleSinceNs() < idleTimeNs) {
                return c;
            }
            c.quit();
        }
        return null;
    }

    /** How many more transactions {@code c} may run, the one it is about to run included (0 once closing). */
    int transactionsLeft(RemoteSmtpClient c) {
        return isClosed ? 0 : Math.max(0, maxTransactions - c.transactions());
    }

    /** Returns a connection after a transaction: cached when it can carry more, else closed with QUIT. */
    void release(RemoteSmtpClient c, long nowNs) {
        if (c.isBroken()) {
            c.close();
        } else if (isClosed || c.transactions() >= maxTransactions) {
            c.quit();
        } else {
            c.markIdle(nowNs);
            idle.computeIfAbsent(c.target().address(), a -> new ConcurrentLinkedDeque<>()).offerFirst(c);
        }
    }

    /**
     * Takes a permit for a new connection, evicting idle connections (oldest first, any destination) while none
     * is free. Returns false when none came free within {@code timeoutMs} (the caller defers).
     */
    boolean acquirePermit(long timeoutMs) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            if (permits.tryAcquire()) {
                return true;
            }
            if (evictOldest()) {
                continue;
            }
            if (permits.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
        }
    }

    void releasePermit() {
        permits.release();
    }

    private boolean evictOldest() {
        RemoteSmtpClient oldest = null;
        Deque<RemoteSmtpClient> from = null;
        for (Deque<RemoteSmtpClient> q : idle.values()) {
            RemoteSmtpClient c = q.peekLast();
            if (c != null && (oldest == null || c.idleSinceNs() - oldest.idleSinceNs() < 0)) {
                oldest = c;
                from = q;
            }
        }
        if (oldest != null && from.removeLastOccurrence(oldest)) {
            oldest.quit();
            return true;
        }
        return false;
    }

    /** Closes (QUIT) connections idle longer than the idle time; called periodically. */
    void closeIdle(long nowNs) {
        for (Deque<RemoteSmtpClient> q : idle.values()) {
            RemoteSmtpClient c;
            while ((c = q.peekLast()) != null && nowNs - c.idleSinceNs() >= idleTimeNs) {
                if (q.removeLastOccurrence(c)) {
                    c.quit();
                }
            }
        }
    }

    /** Closes every idle connection with QUIT; connections still busy are closed by their release. */
    @Override
    public void close() {
        isClosed = true;
        for (Deque<RemoteSmtpClient> q : idle.values()) {
            RemoteSmtpClient c;
            while ((c = q.pollFirst()) != null) {
                c.quit();
            }
        }
    }
}
