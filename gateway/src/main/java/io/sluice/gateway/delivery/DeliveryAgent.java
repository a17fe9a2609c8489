package io.sluice.gateway.delivery;

import io.sluice.gateway.config.GatewayConfig.DeliveryConfig;
import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.config.GatewayConfig.TlsConfig;
import io.sluice.net.IoDeadlines;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Outbound and local delivery of spooled mail: the spool's one {@link io.sluice.spool.CommitListener}.
 *
 * <p>Each committed (or recovered) message is split by recipient domain into routes ({@link Router}), and per
 * route into jobs of at most {@code delivery.recipients-per-transaction} recipients: a message for 50 users at one
 * host is sent once. Jobs go to the route's {@link Destination} queue, drained by at most
 * {@code delivery.connections-per-destination} platform threads, each reusing connections from the
 * {@link ConnectionCache}. Outcomes are recorded in the spool; temporary failures are retried on the
 * {@link RetrySchedule} by the {@link RetryTimer}, and permanent failures and expiries of one dispatch become one
 * DSN ({@link BounceSender}).
 *
 * <p>Threads: the commit listener runs on the spool's thread and only routes and enqueues (no I/O, no spool
 * writes); each destination's jobs run on daemon platform threads named {@code delivery-N}; one virtual thread each for
 * retries ({@code delivery-retry-timer}) and idle connections ({@code delivery-idle-reaper}), and one platform
 * daemon thread enforces I/O timeouts ({@code delivery-io-deadlines}). Allocation: a few small objects per message
 * and per reply (jobs, outcomes, spool snapshots); the bytes of a body pass through the heap only to be unstuffed
 * for BDAT (into the connection's one buffer); for DATA on a plaintext connection a small one is read into a direct
 * buffer and a large one goes by transferTo.
 *
 * <p>Usage: {@code new DeliveryAgent(...)}, {@link #start()} once (after the spool is open), {@link #close()} on
 * shutdown (before the spool closes). {@link #stats()} may be called from any thread.
 */
public final class DeliveryAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAgent.class);
    /** How long close() lets running transactions finish before closing cached connections. */
    private static final long CLOSE_GRACE_MS = 5_000;
    /** A destination unused this long is dropped from the table (see {@link Destination}). */
    static final long DESTINATION_IDLE_NS = TimeUnit.MINUTES.toNanos(10);

    private final DeliveryConfig config;
    private final Spool spool;
    private final Router router;
    private final RetrySchedule schedule;
    private final ConnectionCache cache;
    private final IoDeadlines deadlines = new IoDeadlines("delivery-io-deadlines");
    private final Attempt attempt;
    private final BounceSender bounces;
    private final RetryTimer timer;
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    /** (message id, recipient index) pairs queued or being delivered: never dispatched twice at once. */
    private final Set<Claim> claimed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger runningJobs = new AtomicInteger();
    /** Destination workers: platform threads, at most delivery.max-connections (see {@link DeliveryThreads}). */
    private final DeliveryThreads workerThreads;
    private Thread reaper;
    private volatile boolean isClosed;

    /**
     * @param hostname       our name: EHLO argument and DSN Reporting-MTA
     * @param tls            unused today (no client certificates are presented); kept so the wiring does not
     *                       change when they are
     * @param localTransport delivers recipients of {@code local.domains}
     */
    public DeliveryAgent(String hostname, DeliveryConfig delivery, LocalConfig local, TlsConfig tls, Spool spool,
                         LocalTransport localTransport) {
        this(hostname, delivery, local, spool, localTransport, false);
    }

    /** @param trustAnyCertificate tests only: accept self-signed certificates even where TLS is required */
    DeliveryAgent(String hostname, DeliveryConfig delivery, LocalConfig local, Spool spool,
                  LocalTransport localTransport, boolean trustAnyCertificate) {
        this.config = delivery;
        this.spool = spool;
        this.router = new Router(delivery, local);
        this.schedule = new RetrySchedule(delivery.retrySchedule(), delivery.maxQueueLifetime());
        this.cache = new ConnectionCache(delivery.maxConnections(), delivery.messagesPerConnection(),
            delivery.connectionIdleTime().toNanos());
        SSLContext unverified = trustAllContext();
        SSLContext verified = trustAnyCertificate ? unverified : defaultContext();
        ClientSettings settings = ClientSettings.from(hostname, delivery, unverified, verified, !trustAnyCertificate);
        MxResolver resolver = new MxResolver(delivery.dnsResolver(), delivery.commandTimeout().compareTo(
            java.time.Duration.ofSeconds(10)) < 0 ? delivery.commandTimeout() : java.time.Duration.ofSeconds(10));
        Set<String> tlsRequired = new HashSet<>();
        for (String d : delivery.tlsRequired()) {
            tlsRequired.add(d.trim().toLowerCase(Locale.ROOT));
        }
        this.attempt = new Attempt(spool, localTransport, resolver, cache, settings, deadlines, Set.copyOf(tlsRequired));
        this.bounces = new BounceSender(spool, hostname);
        this.timer = new RetryTimer(this::onRetryDue);
        this.workerThreads = new DeliveryThreads(delivery.maxConnections());
    }

    /** Registers with the spool (which replays every unfinished message first) and starts the timers. */
    public void start() {
        timer.start();
        long sweepMs = Math.max(100, Math.min(1_000, config.connectionIdleTime().toMillis() / 2));
        reaper = Thread.ofVirtual().name("delivery-idle-reaper").start(() -> {
            try {
                while (!isClosed) {
                    Thread.sleep(sweepMs);
                    cache.closeIdle(System.nanoTime());
                    evictIdleDestinations(System.nanoTime());
                }
            } catch (InterruptedException e) {
                // shutdown
            }
        });
        spool.setCommitListener(this::dispatch);
    }

    /** Per-destination counters, sorted by destination name. */
    public List<DestinationStats> stats() {
        List<DestinationStats> out = new ArrayList<>(destinations.size());
        for (Destination d : destinations.values()) {
            out.add(d.snapshot());
        }
        out.sort(Comparator.comparing(DestinationStats::destination));
        return out;
    }

    /** Messages waiting for a retry timer. */
    public int deferredMessages() {
        return timer.pendingCount();
    }

    /**
     * Stops taking work, lets running transactions finish for a few seconds, then closes cached connections with
     * QUIT. Queued and deferred work stays in the spool and is replayed on the next start.
     */
    @Override
    public void close() {
        if (isClosed) {
            return;
        }
        isClosed = true;
        timer.close();
        for (Destination d : destinations.values()) {
            d.close();
        }
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MS);
        while (runningJobs.get() > 0 && System.nanoTime() - deadlineNs < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (reaper != null) {
            reaper.interrupt();
        }
        cache.close();
        deadlines.close();
    }

    /**
     * The commit listener: routes and enqueues; never blocks, never calls the spool's write methods. It runs on the
     * spool's writer thread before the message's 250 is released, so it stays cheap: one pass over the recipients
     * into two small arrays, and a map of routes only when a message has more than one route (with a LinkedHashMap
     * and boxed indexes for every message it was 13% of the writer thread's CPU samples).
     */
    private void dispatch(SpoolEntry entry) {
        if (isClosed) {
            return;
        }
        long nowMs = System.currentTimeMillis();
        long nextDueMs = Long.MAX_VALUE;
        List<Recipient> recipients = entry.envelope().recipients();
        List<RecipientStatus> statuses = entry.recipients();
        int[] ready = new int[statuses.size()];
        Route[] routes = new Route[statuses.size()];
        int n = 0;
        boolean isOneRoute = true;
        for (RecipientStatus s : statuses) {
            RecipientState state = s.state();
            if (state.isTerminal() || state == RecipientState.IN_FLIGHT) {
                continue;
            }
            if (state == RecipientState.DEFERRED && s.nextAttemptEpochMs() > nowMs) {
                nextDueMs = Math.min(nextDueMs, s.nextAttemptEpochMs());
                continue;
            }
            if (!claimed.add(claimKey(entry.id(), s.index()))) {
                continue;
            }
            Route route = router.route(recipients.get(s.index()).domain());
            isOneRoute &= n == 0 || route.equals(routes[0]);
            routes[n] = route;
            ready[n++] = s.index();
        }
        if (nextDueMs != Long.MAX_VALUE) {
            timer.schedule(entry.id().value(), nextDueMs);
        }
        if (n == 0) {
            return;
        }
        int perTx = config.recipientsPerTransaction();
        if (isOneRoute) {
            Batch batch = new Batch(entry, (n + perTx - 1) / perTx);
            Destination d = destination(routes[0].key());
            for (int from = 0; from < n; from += perTx) {
                int[] part = Arrays.copyOfRange(ready, from, Math.min(n, from + perTx));
                d = enqueue(d, new Job(entry, part, routes[0], batch));
            }
            return;
        }
        Map<Route, List<Integer>> byRoute = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byRoute.computeIfAbsent(routes[i], r -> new ArrayList<>()).add(ready[i]);
        }
        List<Job> jobs = new ArrayList<>();
        Batch batch = new Batch(entry, countJobs(byRoute, perTx));
        for (Map.Entry<Route, List<Integer>> e : byRoute.entrySet()) {
            List<Integer> idx = e.getValue();
            for (int from = 0; from < idx.size(); from += perTx) {
                List<Integer> part = idx.subList(from, Math.min(idx.size(), from + perTx));
                jobs.add(new Job(entry, part.stream().mapToInt(Integer::intValue).toArray(), e.getKey(), batch));
            }
        }
        for (Job job : jobs) {
            enqueue(destination(job.route().key()), job);
        }
    }

    /** Queues on {@code d}, or on a fresh destination if the reaper just retired it; returns the one used. */
    private Destination enqueue(Destination d, Job job) {
        while (!d.enqueue(job)) {
            destinations.remove(d.key(), d);
            d = destination(d.key());
        }
        return d;
    }

    /** Drops destinations unused for {@link #DESTINATION_IDLE_NS}; returns how many. Reaper thread (and tests). */
    int evictIdleDestinations(long nowNs) {
        int n = 0;
        for (Destination d : destinations.values()) {
            if (d.retireIfIdle(nowNs, DESTINATION_IDLE_NS) && destinations.remove(d.key(), d)) {
                n++;
            }
        }
        return n;
    }

    private static int countJobs(Map<Route, List<Integer>> byRoute, int perTx) {
        int n = 0;
        for (List<Integer> idx : byRoute.values()) {
            n += (idx.size() + perTx - 1) / perTx;
        }
        return n;
    }

    private Destination destination(String key) {
        return destinations.computeIfAbsent(key,
            k -> new Destination(k, config.connectionsPerDestination(), workerThreads, this::process));
    }

    private void onRetryDue(long messageId) {
        spool.entry(new MessageId(messageId)).ifPresent(this::dispatch);
    }

    /**
     * Runs on a destination worker: the jobs it took, in order, on one {@link Attempt.Lane} (so each can be
     * pipelined behind the previous one's body).
     */
    private void process(Destination destination, List<Job> jobs) {
        try (Attempt.Lane lane = attempt.lane()) {
            // On close the rest stays in the spool, except a job already on the wire in full (BDAT): its replies
            // are read and recorded, or the next start would send it again.
            for (int k = 0; k < jobs.size() && (!isClosed || lane.isPrimedFor(jobs.get(k))); k++) {
                process(destination, jobs.get(k), jobs.subList(k + 1, jobs.size()), lane);
            }
        }
    }

    /** One job: mark in flight, deliver, record, and finish the batch when last. */
    private void process(Destination destination, Job job, List<Job> following, Attempt.Lane lane) {
        runningJobs.incrementAndGet();
        try {
            SpoolEntry entry = job.entry();
            for (int i : job.recipientIndexes()) {
                spool.recordOutcome(entry.id(), i, RecipientState.IN_FLIGHT, 0, "");
            }
            List<Outcome> outcomes;
            try {
                outcomes = attempt.run(destination, job, following, !isClosed, lane);
            } catch (RuntimeException e) {
                // A bug (ours or the local transport's): log once with the stack, defer, keep the agent running.
                LOG.error("{}: delivery to {} failed unexpectedly", entry.id(), destination.key(), e);
                List<Outcome> deferred = new ArrayList<>();
                for (int i : job.recipientIndexes()) {
                    deferred.add(new Outcome(i, RecipientState.DEFERRED, "451 4.3.0 internal error", null));
                }
                outcomes = deferred;
            }
            record(destination, job, outcomes);
        } finally {
            runningJobs.decrementAndGet();
            if (job.batch().jobDone()) {
                finish(job.batch());
            }
        }
    }

    private void record(Destination destination, Job job, List<Outcome> outcomes) {
        SpoolEntry entry = job.entry();
        long nowMs = System.currentTimeMillis();
        for (Outcome o : outcomes) {
            RecipientStatus before = entry.recipients().get(o.recipientIndex());
            switch (o.state()) {
                case DELIVERED -> {
                    spool.recordOutcome(entry.id(), o.recipientIndex(), RecipientState.DELIVERED, 0, o.reply());
                    destination.countDelivered();
                    if (!o.isDsnPassedOn()) {
                        job.batch().addSuccess(o, job.route().isLocal() ? DsnBuilder.Action.DELIVERED
                            : DsnBuilder.Action.RELAYED);
                    }
                    claimed.remove(claimKey(entry.id(), o.recipientIndex()));
                }
                case DEFERRED -> {
                    if (schedule.isExpired(entry.envelope().arrivalEpochMs(), nowMs)) {
                        destination.countBounced();
                        job.batch().addFailure(new Outcome(o.recipientIndex(), RecipientState.EXPIRED,
                            o.reply(), o.remoteMta()));
                    } else {
                        long dueMs = nowMs + schedule.delayMsAfter(before.attempts() + 1);
                        spool.recordOutcome(entry.id(), o.recipientIndex(), RecipientState.DEFERRED, dueMs, o.reply());
                        destination.countDeferred();
                        job.batch().noteRetry(dueMs);
                        claimed.remove(claimKey(entry.id(), o.recipientIndex()));
                    }
                }
                default -> {
                    destination.countBounced();
                    job.batch().addFailure(o);
                }
            }
        }
    }

    /**
     * The last job of a batch is done: one DSN for all its failures (and one for NOTIFY=SUCCESS deliveries),
     * then the final states of the failed recipients. Recording those only after the DSN is spooled keeps the
     * body in the spool until the DSN has its copy, and a crash in between means a retry, not a silent loss.
     */
    private void finish(Batch batch) {
        SpoolEntry entry = batch.entry();
        List<Batch.Finished> failures = batch.failures();
        if (!failures.isEmpty()) {
            bounces.send(entry, failures, Recipient.NOTIFY_FAILURE);
            for (Batch.Finished f : failures) {
                Outcome o = f.outcome();
                RecipientState state = o.state() == RecipientState.EXPIRED ? RecipientState.EXPIRED
                    : RecipientState.BOUNCED;
                spool.recordOutcome(entry.id(), o.recipientIndex(), state, 0, o.reply());
                claimed.remove(claimKey(entry.id(), o.recipientIndex()));
            }
        }
        List<Batch.Finished> successes = batch.successes();
        if (!successes.isEmpty()) {
            bounces.send(entry, successes, Recipient.NOTIFY_SUCCESS);
        }
        if (batch.earliestRetryEpochMs() != Long.MAX_VALUE && !isClosed) {
            timer.schedule(entry.id().value(), batch.earliestRetryEpochMs());
        }
    }

    private record Claim(long messageId, int recipientIndex) {
    }

    private static Claim claimKey(MessageId id, int recipientIndex) {
        return new Claim(id.value(), recipientIndex);
    }

    /** Opportunistic TLS (RFC 7435): encryption without authentication, since MX certificates rarely verify. */
    private static SSLContext trustAllContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context in this JDK", e);
        }
    }
}
