package io.sluice.spool.index;

import io.sluice.spool.BodyForm;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.SpoolEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * One committed message as the index holds it: where its bytes are, and each recipient's state in parallel
 * primitive arrays (one object per message, not one per recipient). Mutated only under {@link MessageIndex}'s
 * lock; {@link #snapshot()} makes the immutable {@link SpoolEntry} callers see.
 */
public final class IndexedMessage {

    private static final RecipientState[] STATES = RecipientState.values();

    final long id;
    final Envelope envelope;
    final BodyForm form;
    final long bodyBytes;
    final long recordIndex;
    final long firstChunkIndex;
    final int chunkCount;
    final int cycle;
    private final byte[] states;
    private final int[] attempts;
    private final long[] nextAttemptEpochMs;
    private final String[] replies;
    private int unfinished;

    /**
     * @param recordIndex     queue index of the MESSAGE record
     * @param firstChunkIndex queue index of the first chunk, or -1 when the body is inline
     * @param cycle           the queue file (roll cycle) holding the message's first record; the file this
     *                        message pins until it is finished
     */
    public IndexedMessage(long id, Envelope envelope, BodyForm form, long bodyBytes, long recordIndex,
                          long firstChunkIndex, int chunkCount, int cycle) {
        this.id = id;
        this.envelope = envelope;
        this.form = form;
        this.bodyBytes = bodyBytes;
        this.recordIndex = recordIndex;
        this.firstChunkIndex = firstChunkIndex;
        this.chunkCount = chunkCount;
        this.cycle = cycle;
        int n = envelope.recipients().size();
        this.states = new byte[n];
        this.attempts = new int[n];
        this.nextAttemptEpochMs = new long[n];
        this.replies = new String[n];
        this.unfinished = n;
    }

    public long id() {
        return id;
    }

    public Envelope envelope() {
        return envelope;
    }

    public BodyForm form() {
        return form;
    }

    public long bodyBytes() {
        return bodyBytes;
    }

    public long recordIndex() {
        return recordIndex;
    }

    public long firstChunkIndex() {
        return firstChunkIndex;
    }

    public int chunkCount() {
        return chunkCount;
    }

    public int cycle() {
        return cycle;
    }

    boolean isFinished() {
        return unfinished == 0;
    }

    int attempts(int recipient) {
        return attempts[recipient];
    }

    RecipientState state(int recipient) {
        return STATES[states[recipient]];
    }

    /** Sets one recipient's whole state; returns the change in the number of unfinished recipients. */
    int set(int recipient, RecipientState state, int attemptCount, long nextAttemptMs, String reply) {
        boolean wasTerminal = STATES[states[recipient]].isTerminal();
        states[recipient] = (byte) state.ordinal();
        attempts[recipient] = attemptCount;
        nextAttemptEpochMs[recipient] = nextAttemptMs;
        replies[recipient] = reply;
        int delta = (wasTerminal ? 1 : 0) - (state.isTerminal() ? 1 : 0);
        unfinished += delta;
        return delta;
    }

    /** Takes over every recipient's state from the message this is a relocated copy of. */
    void copyStatesFrom(IndexedMessage old) {
        System.arraycopy(old.states, 0, states, 0, states.length);
        System.arraycopy(old.attempts, 0, attempts, 0, attempts.length);
        System.arraycopy(old.nextAttemptEpochMs, 0, nextAttemptEpochMs, 0, nextAttemptEpochMs.length);
        System.arraycopy(old.replies, 0, replies, 0, replies.length);
        unfinished = old.unfinished;
    }

    /** IN_FLIGHT at a crash means the attempt's outcome is unknown: try again (at-least-once). */
    void requeueInFlight() {
        for (int i = 0; i < states.length; i++) {
            if (states[i] == RecipientState.IN_FLIGHT.ordinal()) {
                states[i] = (byte) RecipientState.QUEUED.ordinal();
            }
        }
    }

    SpoolEntry snapshot() {
        List<RecipientStatus> list = new ArrayList<>(states.length);
        for (int i = 0; i < states.length; i++) {
            list.add(new RecipientStatus(i, STATES[states[i]], attempts[i], nextAttemptEpochMs[i],
                replies[i] == null ? "" : replies[i]));
        }
        return new SpoolEntry(new MessageId(id), envelope, form, bodyBytes, list);
    }
}
