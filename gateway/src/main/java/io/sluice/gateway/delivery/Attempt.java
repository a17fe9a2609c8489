package io.sluice.gateway.delivery;

import io.sluice.net.IoDeadlines;
import io.sluice.spool.MessageBody;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one job: resolves its next hop, takes a cached connection or opens one (trying the targets in order, and
 * after earlier failures starting with the next MX), runs the transaction and reports one {@link Outcome} per
 * recipient. Connection-level failures move on to the next target; a failure inside a transaction defers what
 * is left. Local jobs go to the {@link LocalTransport}. Called on a destination's worker virtual thread;
 * stateless apart from shared, thread-safe collaborators.
 */
final class Attempt {

    /** Most addresses tried for one job before deferring (Postfix's smtp_mx_address_limit). */
    static final int MAX_TARGETS = 5;

    private final Spool spool;
    private final LocalTransport localTransport;
    private final MxResolver resolver;
    private final ConnectionCache cache;
    private final ClientSettings settings;
    private final IoDeadlines deadlines;
    private final Set<String> tlsRequired;

    Attempt(Spool spool, LocalTransport localTransport, MxResolver resolver, ConnectionCache cache,
            ClientSettings settings, IoDeadlines deadlines, Set<String> tlsRequired) {
        this.spool = spool;
        this.localTransport = localTransport;
        this.resolver = resolver;
        this.cache = cache;
        this.settings = settings;
        this.deadlines = deadlines;
        this.tlsRequired = tlsRequired;
    }

    /**
     * The jobs one worker took together, run in order. Holds a connection from one job to the next when the
     * next job's commands were pipelined behind the previous body ({@link RemoteSmtpClient#isPrimed()}); such a
     * connection never goes back to the cache. Closing the lane closes a connection still held (its commands
     * were answered, but no body followed DATA, so the server delivers nothing). One worker thread only.
     */
    final class Lane implements AutoCloseable {

        private RemoteSmtpClient held;
        private Job heldFor;

        /** The connection primed for {@code job}, or null; any other held connection is closed. */
        private RemoteSmtpClient take(Job job) {
            RemoteSmtpClient c = held;
            boolean isForJob = heldFor == job;
            held = null;
            heldFor = null;
            if (c != null && !isForJob) {
                c.close();
                return null;
            }
            return c;
        }

        /**
         * After a transaction: keep a primed connection for {@code next}; return anything else to the cache (which
         * closes a broken one, primed or not).
         */
        private void afterSend(RemoteSmtpClient c, Job next) {
            if (c.isPrimed() && !c.isBroken()) {
                held = c;
                heldFor = next;
            } else {
                cache.release(c, System.nanoTime());
            }
        }

        /** True when this lane holds a connection with {@code job} on the wire, which should be finished. */
        boolean isPrimedFor(Job job) {
            return held != null && heldFor == job;
        }

        @Override
        public void close() {
            take(null);
        }
    }

    Lane lane() {
        return new Lane();
    }

    /**
     * Runs {@code job}; {@code following} are the jobs this worker runs right after it, in order, on {@code lane}
     * (the same list from the second on for the next call); {@code mayAddMore} false when shutting down: nothing
     * more is put on the wire ahead of its turn.
     */
    List<Outcome> run(Destination destination, Job job, List<Job> following, boolean mayAddMore, Lane lane) {
        SpoolEntry entry = job.entry();
        int[] idx = job.recipientIndexes();
        Optional<MessageBody> maybeBody = spool.openBody(entry.id());
        if (maybeBody.isEmpty()) {
            // Reclaimed under us (e.g. removed by an operator): nothing to send, nothing to record.
            return List.of();
        }
        try (MessageBody body = maybeBody.get()) {
            if (job.route().isLocal()) {
                List<Outcome> out = new ArrayList<>(idx.length);
                List<Integer> indexes = new ArrayList<>(idx.length);
                for (int i : idx) {
                    indexes.add(i);
                }
                for (DeliveryResult r : localTransport.deliver(entry, body, indexes)) {
                    out.add(Outcome.of(r, null, false));
                }
                return out;
            }
            return remote(destination, job, body, sameRoute(job, following), mayAddMore, lane);
        }
    }

    /** The leading jobs of {@code following} on {@code job}'s route (so remote too): they may share its connection. */
    private static List<Job> sameRoute(Job job, List<Job> following) {
        int n = 0;
        while (n < following.size() && following.get(n).route().equals(job.route())) {
            n++;
        }
        return following.subList(0, n);
    }

    private List<Outcome> remote(Destination destination, Job job, MessageBody body, List<Job> following,
                                 boolean mayAddMore, Lane lane) {
        RemoteSmtpClient primed = lane.take(job);
        if (primed != null) {
            // It is on the wire already (its commands, or all of it): this connection first, whatever the target
            // order says.
            try {
                return send(primed, job, body, following, mayAddMore, lane);
            } catch (IOException e) {
                String text = primed.lostConnectionText(e);
                boolean hasSentBody = primed.hasSentBody();
                primed.close();
                if (hasSentBody) {
                    return all(job, text, primed.target().hostName());
                }
                // Nothing of this message went beyond its commands: try again the usual way.
            }
        }
        Route route = job.route();
        MxResolver.Resolution res = resolver.resolve(route.host(), route.port(), route.skipMx());
        if (!res.isOk()) {
            return all(job, res.failure().toString(), null);
        }
        List<MxResolver.Target> targets = rotate(res.targets(), job);
        boolean isTlsRequired = settings.tlsPolicy() == io.sluice.gateway.config.GatewayConfig.TlsPolicy.REQUIRED
            || tlsRequired.contains(route.key()) || tlsRequired.contains(route.host());
        String lastError = "451 4.4.1 no usable address for " + route.host();
        int tried = 0;
        for (MxResolver.Target target : targets) {
            if (tried++ >= MAX_TARGETS) {
                break;
            }
            RemoteSmtpClient client = cache.take(target.address(), System.nanoTime());
            boolean isReused = client != null;
            for (int round = 0; round < 2; round++) {
                if (client == null) {
                    try {
                        client = connect(destination, target, isTlsRequired);
                    } catch (IOException e) {
                        lastError = connectError(target, e);
                        break;
                    }
                    if (client == null) {
                        lastError = "451 4.4.5 too many outbound connections; try again later";
                        break;
                    }
                }
                try {
                    return send(client, job, body, following, mayAddMore, lane);
                } catch (IOException e) {
                    String text = client.lostConnectionText(e);
                    boolean canRetry = isReused && round == 0 && !client.hasSentBody();
                    client.close();
                    client = null;
                    if (!canRetry) {
                        // Inside a transaction: defer the rest here rather than risk a second copy elsewhere.
                        return all(job, text, target.hostName());
                    }
                    // A cached connection the server had already dropped: one fresh try, not counted.
                }
            }
        }
        return all(job, lastError, null);
    }

    private List<Outcome> send(RemoteSmtpClient client, Job job, MessageBody body, List<Job> following,
                               boolean mayAddMore, Lane lane) throws IOException {
        // As many as this connection may still carry after this one (delivery.messages-per-connection).
        List<Job> ahead = following.subList(0, Math.min(following.size(),
            Math.max(0, cache.transactionsLeft(client) - 1)));
        List<RemoteSmtpClient.Lookahead> lookaheads = new ArrayList<>(ahead.size());
        for (Job j : ahead) {
            lookaheads.add(new RemoteSmtpClient.Lookahead(j.entry().envelope(), j.recipientIndexes(),
                j.entry().bodyBytes()));
        }
        // A message that goes out whole ahead of its turn (BDAT) is read here for that, and again on its own turn,
        // which then only reads its replies.
        List<DeliveryResult> results = client.send(job.entry().envelope(), job.recipientIndexes(), body,
            new RemoteSmtpClient.Following(lookaheads, i -> spool.openBody(ahead.get(i).entry().id()), mayAddMore));
        boolean offersDsn = client.offersDsn(); // read before release: another thread may take it
        String mta = client.target().hostName();
        lane.afterSend(client, following.isEmpty() ? null : following.get(0)); // what is on the wire is next
        List<Outcome> out = new ArrayList<>(results.size());
        for (DeliveryResult r : results) {
            out.add(Outcome.of(r, mta, offersDsn));
        }
        return out;
    }

    private RemoteSmtpClient connect(Destination destination, MxResolver.Target target, boolean isTlsRequired)
        throws IOException {
        try {
            if (!cache.acquirePermit(settings.connectTimeoutMs())) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a connection permit");
        }
        RemoteSmtpClient c;
        try {
            c = RemoteSmtpClient.open(target, isTlsRequired, settings, deadlines);
        } catch (IOException | RuntimeException e) {
            cache.releasePermit();
            throw e;
        }
        destination.connectionOpened();
        c.onClose(() -> {
            cache.releasePermit();
            destination.connectionClosed();
        });
        return c;
    }

    /** After failed attempts, start with the next target ("try the next MX first"); the order is otherwise kept. */
    private static List<MxResolver.Target> rotate(List<MxResolver.Target> targets, Job job) {
        int attempts = 0;
        for (int i : job.recipientIndexes()) {
            RecipientStatus s = job.entry().recipients().get(i);
            if (s.state() == RecipientState.DEFERRED) {
                attempts = Math.max(attempts, s.attempts());
            }
        }
        if (attempts == 0 || targets.size() < 2) {
            return targets;
        }
        int shift = attempts % targets.size();
        List<MxResolver.Target> out = new ArrayList<>(targets.size());
        out.addAll(targets.subList(shift, targets.size()));
        out.addAll(targets.subList(0, shift));
        return out;
    }

    private static String connectError(MxResolver.Target target, IOException e) {
        if (e instanceof ProtocolException p) {
            // A session-level refusal (greeting, EHLO, TLS): the job is deferred, not bounced, when no other MX
            // takes it; a 5xx greeting of one MX says nothing final about the domain.
            SmtpReply r = p.reply();
            return r.isPermanent() ? "451 4.4.0 host " + target.hostName() + " refused to talk to me: " + r
                : r.toString();
        }
        String where = target.hostName() + "[" + target.address().getAddress().getHostAddress() + "]:"
            + target.address().getPort();
        String why = e instanceof ConnectException ? "Connection refused"
            : e instanceof SocketTimeoutException ? "Connection timed out"
            : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return "451 4.4.1 connect to " + where + ": " + why;
    }

    private static List<Outcome> all(Job job, String reply, String remoteMta) {
        RecipientState state = reply.charAt(0) == '2' ? RecipientState.DELIVERED
            : reply.charAt(0) == '4' ? RecipientState.DEFERRED : RecipientState.BOUNCED;
        List<Outcome> out = new ArrayList<>(job.recipientIndexes().length);
        for (int i : job.recipientIndexes()) {
            out.add(new Outcome(i, state, reply, remoteMta));
        }
        return out;
    }
}
