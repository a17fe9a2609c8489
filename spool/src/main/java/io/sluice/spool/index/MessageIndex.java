package io.sluice.spool.index;

import io.sluice.spool.CommitListener;
import io.sluice.spool.RecipientState;
import io.sluice.spool.SpoolEntry;
import org.agrona.collections.Int2IntCounterMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory index of messages in the queue: id to location and per-recipient state for every unfinished
 * message (and finished ones for a grace period), plus, per queue file (roll cycle), how many messages it pins
 * are unfinished and when the last of them finished, which is all reclamation needs.
 *
 * <p>A finished message (every recipient terminal) leaves the index {@link #dropFinished grace} after it finished:
 * the index holds the queue, not its history, so memory follows the live queue rather than the traffic of the
 * last hour or two (a soak at 500 msgs/s grew the heap by about 0.55 KB per accepted message while finished
 * messages stayed until their file was deleted). Replay drops a message as soon as its events show it finished.
 *
 * <p>Keyed by primitive {@code long} ids (Agrona maps, no boxing). Thread-safe: every method takes one
 * {@link ReentrantLock} for a short, non-blocking critical section (virtual threads never pin on it). Rebuilt on
 * open by {@code RecoveryScan} replaying the queue; afterwards fed by the writer thread (new commits) and by
 * delivery threads (outcomes).
 */
public final class MessageIndex {

    private static final int INITIAL_FINISHED_LONGS = 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Long2ObjectHashMap<IndexedMessage> byId = new Long2ObjectHashMap<>();
    /**
     * Finished messages in finishing order, as (id, finish time) pairs between head and tail: what
     * {@link #dropFinished} walks. Holds about grace x finish rate entries (10 s at 50k msgs/s: 8 MB).
     */
    private long[] finished = new long[INITIAL_FINISHED_LONGS];
    private int finishedHead;
    private int finishedTail;
    private final Int2IntCounterMap unfinishedByCycle = new Int2IntCounterMap(0);
    private final Long2LongHashMap lastFinishNsByCycle = new Long2LongHashMap(Long.MIN_VALUE);
    private long live;
    private CommitListener listener;

    /**
     * Adds a committed (durable) message; returns the listener to tell, or null. When the id is already known, the
     * message was relocated (see {@link #relocate}): replay met the copy while the original's file still existed.
     */
    public CommitListener add(IndexedMessage m) {
        lock.lock();
        try {
            IndexedMessage old = byId.get(m.id);
            if (old != null) {
                replace(old, m);
                return null;
            }
            byId.put(m.id, m);
            if (!m.isFinished()) {
                unfinishedByCycle.incrementAndGet(m.cycle);
                live++;
            }
            return listener;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Points a message at its relocated copy (same id, newer file), carrying over every recipient's current state,
     * so the old file no longer holds anything unfinished. Returns false (and changes nothing) if the message is
     * gone meanwhile.
     */
    public boolean relocate(IndexedMessage copy) {
        lock.lock();
        try {
            IndexedMessage old = byId.get(copy.id);
            if (old == null) {
                return false;
            }
            replace(old, copy);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void replace(IndexedMessage old, IndexedMessage copy) {
        copy.copyStatesFrom(old);
        if (!old.isFinished()) {
            unfinishedByCycle.decrementAndGet(old.cycle);
            unfinishedByCycle.incrementAndGet(copy.cycle);
        }
        byId.put(copy.id, copy);
    }

    /**
     * The messages of {@code cycle} that are not finished; at most {@code max + 1} of them. Walks every message in
     * the index (only the live queue), which relocation does at most once per reclamation pass.
     */
    public List<IndexedMessage> unfinishedIn(int cycle, int max) {
        lock.lock();
        try {
            List<IndexedMessage> out = new ArrayList<>();
            if (unfinishedByCycle.get(cycle) == 0) {
                return out;
            }
            for (IndexedMessage m : byId.values()) {
                if (m.cycle == cycle && !m.isFinished()) {
                    out.add(m);
                    if (out.size() > max) {
                        break;
                    }
                }
            }
            out.sort(Comparator.comparingLong(IndexedMessage::id));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers the listener and returns snapshots of every unfinished message, atomically with respect to
     * {@link #add}: each message is either in the returned list or reported by the writer after this returns.
     */
    public List<SpoolEntry> register(CommitListener l) {
        lock.lock();
        try {
            listener = l;
            return snapshots(true);
        } finally {
            lock.unlock();
        }
    }

    public IndexedMessage get(long id) {
        lock.lock();
        try {
            return byId.get(id);
        } finally {
            lock.unlock();
        }
    }

    public SpoolEntry snapshot(long id) {
        lock.lock();
        try {
            IndexedMessage m = byId.get(id);
            return m == null ? null : m.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** Every unfinished message, and those finished less than the grace period ago, in id order. */
    public List<SpoolEntry> snapshots() {
        lock.lock();
        try {
            return snapshots(false);
        } finally {
            lock.unlock();
        }
    }

    private List<SpoolEntry> snapshots(boolean unfinishedOnly) {
        List<IndexedMessage> all = new ArrayList<>(byId.size());
        for (IndexedMessage m : byId.values()) {
            if (!unfinishedOnly || !m.isFinished()) {
                all.add(m);
            }
        }
        all.sort(Comparator.comparingLong(IndexedMessage::id));
        List<SpoolEntry> out = new ArrayList<>(all.size());
        for (IndexedMessage m : all) {
            out.add(m.snapshot());
        }
        return out;
    }

    /**
     * Applies an outcome reported by delivery. Attempts count completed tries: DEFERRED, DELIVERED and BOUNCED
     * add one. Returns the recipient's resulting attempt count, or -1 when the message or recipient is unknown
     * (already reclaimed, or a caller bug), in which case nothing changed.
     */
    public int recordOutcome(long id, int recipient, RecipientState state, long nextAttemptMs, String reply) {
        lock.lock();
        try {
            IndexedMessage m = byId.get(id);
            if (m == null || recipient < 0 || recipient >= m.envelope.recipients().size()) {
                return -1;
            }
            int attempts = m.attempts(recipient) + (countsAsAttempt(state) ? 1 : 0);
            apply(m, recipient, state, attempts, nextAttemptMs, reply, true);
            return attempts;
        } finally {
            lock.unlock();
        }
    }

    /** Applies a replayed event (the absolute state it recorded); unknown ids are ignored. */
    public void restore(long id, int recipient, RecipientState state, int attempts, long nextAttemptMs,
                        String reply) {
        lock.lock();
        try {
            IndexedMessage m = byId.get(id);
            if (m != null && recipient >= 0 && recipient < m.envelope.recipients().size()) {
                apply(m, recipient, state, attempts, nextAttemptMs, reply, false);
                if (m.isFinished()) {
                    byId.remove(id); // replay keeps no history: later events about it are ignored
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void apply(IndexedMessage m, int recipient, RecipientState state, int attempts, long nextMs,
                       String reply, boolean isKeptForGrace) {
        boolean wasFinished = m.isFinished();
        m.set(recipient, state, attempts, nextMs, reply);
        if (!wasFinished && m.isFinished()) {
            long nowNs = System.nanoTime();
            unfinishedByCycle.decrementAndGet(m.cycle);
            lastFinishNsByCycle.put(m.cycle, nowNs);
            live--;
            if (isKeptForGrace) {
                m.finishedAtNs = nowNs;
                enqueueFinished(m.id, nowNs);
            }
        } else if (wasFinished && !m.isFinished()) {
            unfinishedByCycle.incrementAndGet(m.cycle);
            live++;
        }
    }

    private static boolean countsAsAttempt(RecipientState s) {
        return s == RecipientState.DEFERRED || s == RecipientState.DELIVERED || s == RecipientState.BOUNCED;
    }

    /** After replay: every IN_FLIGHT recipient becomes QUEUED. */
    public void requeueInFlight() {
        lock.lock();
        try {
            for (IndexedMessage m : byId.values()) {
                m.requeueInFlight();
            }
        } finally {
            lock.unlock();
        }
    }

    /** True when {@code cycle}'s file holds no unfinished message (or none at all). */
    public boolean isCycleFinished(int cycle) {
        lock.lock();
        try {
            return unfinishedByCycle.get(cycle) == 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when the last message of {@code cycle} to finish did so at least {@code graceNs} ago: delivery may still
     * read a just-finished message's body (a success DSN with RET=FULL is built after the DELIVERED outcome).
     */
    public boolean hasBeenFinishedFor(int cycle, long nowNs, long graceNs) {
        lock.lock();
        try {
            long last = lastFinishNsByCycle.get(cycle);
            return last == Long.MIN_VALUE || nowNs - last >= graceNs;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets every message finished at least {@code graceNs} before {@code nowNs} (delivery may still read a
     * just-finished body, e.g. for a success DSN). Returns how many left. Cost: one step per finished message.
     */
    public int dropFinished(long nowNs, long graceNs) {
        lock.lock();
        try {
            int dropped = 0;
            while (finishedHead < finishedTail && nowNs - finished[finishedHead + 1] >= graceNs) {
                long id = finished[finishedHead];
                long finishedNs = finished[finishedHead + 1];
                finishedHead += 2;
                IndexedMessage m = byId.get(id);
                // Still finished, and not finished again later (then a later entry drops it).
                if (m != null && m.isFinished() && m.finishedAtNs == finishedNs) {
                    byId.remove(id);
                    dropped++;
                }
            }
            if (finishedHead == finishedTail) {
                finishedHead = 0;
                finishedTail = 0;
                if (finished.length > INITIAL_FINISHED_LONGS) {
                    finished = new long[INITIAL_FINISHED_LONGS]; // give back what a burst took
                }
            }
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    private void enqueueFinished(long id, long nowNs) {
        if (finishedTail + 2 > finished.length) {
            int pending = finishedTail - finishedHead;
            long[] target = pending + 2 > finished.length / 2 ? new long[finished.length * 2] : finished;
            System.arraycopy(finished, finishedHead, target, 0, pending);
            finished = target;
            finishedHead = 0;
            finishedTail = pending;
        }
        finished[finishedTail++] = id;
        finished[finishedTail++] = nowNs;
    }

    /** Forgets what is left of {@code cycle} (finished messages still in their grace); its file was deleted. */
    public void dropCycle(int cycle) {
        lock.lock();
        try {
            var it = byId.values().iterator();
            while (it.hasNext()) {
                IndexedMessage m = it.next();
                if (m.cycle == cycle) {
                    live -= m.isFinished() ? 0 : 1; // none: a file goes only when all it pins are finished
                    it.remove();
                }
            }
            unfinishedByCycle.remove(cycle);
            lastFinishNsByCycle.remove(cycle);
        } finally {
            lock.unlock();
        }
    }

    /** How many messages the index holds (unfinished, plus finished ones within their grace period). */
    public int size() {
        lock.lock();
        try {
            return byId.size();
        } finally {
            lock.unlock();
        }
    }

    public long liveMessages() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }
}
