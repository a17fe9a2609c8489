package io.sluice.spool.index;

import io.sluice.spool.CommitListener;
import io.sluice.spool.RecipientState;
import io.sluice.spool.SpoolEntry;
import org.agrona.collections.Int2IntCounterMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory index of committed messages: id to location and per-recipient state, plus, per queue file
 * (roll cycle), which messages it holds and how many of them are unfinished, which is what reclamation needs.
 *
 * <p>Keyed by primitive {@code long} ids (Agrona maps, no boxing). Thread-safe: every method takes one
 * {@link ReentrantLock} for a short, non-blocking critical section (virtual threads never pin on it). Rebuilt on
 * open by {@code RecoveryScan} replaying the queue; afterwards fed by the writer thread (new commits) and by
 * delivery threads (outcomes).
 */
public final class MessageIndex {

    private final ReentrantLock lock = new ReentrantLock();
    private final Long2ObjectHashMap<IndexedMessage> byId = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<LongArrayList> idsByCycle = new Int2ObjectHashMap<>();
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
            idsByCycle.computeIfAbsent(m.cycle, c -> new LongArrayList()).addLong(m.id);
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
        LongArrayList oldIds = idsByCycle.get(old.cycle);
        if (oldIds != null) {
            oldIds.removeLong(old.id);
        }
        if (!old.isFinished()) {
            unfinishedByCycle.decrementAndGet(old.cycle);
            unfinishedByCycle.incrementAndGet(copy.cycle);
        }
        byId.put(copy.id, copy);
        idsByCycle.computeIfAbsent(copy.cycle, c -> new LongArrayList()).addLong(copy.id);
    }

    /** The messages of {@code cycle} that are not finished; at most {@code max + 1} of them. */
    public List<IndexedMessage> unfinishedIn(int cycle, int max) {
        lock.lock();
        try {
            List<IndexedMessage> out = new ArrayList<>();
            LongArrayList ids = idsByCycle.get(cycle);
            for (int i = 0; ids != null && i < ids.size() && out.size() <= max; i++) {
                IndexedMessage m = byId.get(ids.getLong(i));
                if (m != null && !m.isFinished()) {
                    out.add(m);
                }
            }
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

    /** Every message still held (finished ones too, until their file is reclaimed), in id order. */
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
            apply(m, recipient, state, attempts, nextAttemptMs, reply);
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
                apply(m, recipient, state, attempts, nextAttemptMs, reply);
            }
        } finally {
            lock.unlock();
        }
    }

    private void apply(IndexedMessage m, int recipient, RecipientState state, int attempts, long nextMs,
                       String reply) {
        boolean wasFinished = m.isFinished();
        m.set(recipient, state, attempts, nextMs, reply);
        if (!wasFinished && m.isFinished()) {
            unfinishedByCycle.decrementAndGet(m.cycle);
            lastFinishNsByCycle.put(m.cycle, System.nanoTime());
            live--;
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

    /** Forgets every message whose first record is in {@code cycle}; called once its file is deleted. */
    public void dropCycle(int cycle) {
        lock.lock();
        try {
            LongArrayList ids = idsByCycle.remove(cycle);
            if (ids != null) {
                for (int i = 0; i < ids.size(); i++) {
                    IndexedMessage m = byId.remove(ids.getLong(i));
                    if (m != null && !m.isFinished()) {
                        live--;
                    }
                }
            }
            unfinishedByCycle.remove(cycle);
            lastFinishNsByCycle.remove(cycle);
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
