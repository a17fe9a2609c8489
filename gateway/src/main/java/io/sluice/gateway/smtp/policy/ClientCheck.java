package io.sluice.gateway.smtp.policy;

import io.sluice.gateway.smtp.Replies;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection limits: {@code smtp.max-connections} in total and {@code smtp.max-connections-per-client} per IP.
 * Called by the accept loop for each new connection; a connection that got ACCEPT must call {@link #release} when
 * it ends (in a finally). Over a limit the client gets 421 4.7.0 and is closed. Thread-safe, lock-free.
 */
public final class ClientCheck {

    private static final Verdict TOO_MANY = Verdict.disconnect(Replies.TOO_MANY_CONNECTIONS_421);
    private static final Verdict TOO_MANY_FROM_CLIENT = Verdict.disconnect(Replies.TOO_MANY_FROM_CLIENT_421);

    private final int maxConnections;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    /** Per-IP counts; updated only inside compute(), which is atomic per key, so no count is ever lost. */
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    public ClientCheck(int maxConnections, int maxPerClient) {
        this.maxConnections = maxConnections;
        this.maxPerClient = maxPerClient;
    }

    /** Counts the connection in on ACCEPT; on any other verdict nothing is counted and nothing is to be released. */
    public Verdict onConnect(InetAddress client) {
        if (total.incrementAndGet() > maxConnections) {
            total.decrementAndGet();
            return TOO_MANY;
        }
        boolean[] over = new boolean[1];
        perClient.compute(client, (k, n) -> {
            int next = n == null ? 1 : n + 1;
            over[0] = next > maxPerClient;
            return over[0] ? n : Integer.valueOf(next);
        });
        if (over[0]) {
            total.decrementAndGet();
            return TOO_MANY_FROM_CLIENT;
        }
        return Verdict.ACCEPT;
    }

    public void release(InetAddress client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    public int connections() {
        return total.get();
    }
}
