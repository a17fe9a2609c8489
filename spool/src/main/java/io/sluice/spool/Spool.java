package io.sluice.spool;

import java.util.List;
import java.util.Optional;

/**
 * The durable message store. Thread-safe: any number of session threads may begin and commit messages at once;
 * delivery threads read bodies and record outcomes concurrently.
 *
 * <p>State changes after commit ({@link #recordOutcome}) are appended as events; the in-memory index is rebuilt
 * from them on start, so after a crash every committed message reappears with the last recorded state of each
 * recipient. A recipient that was {@link RecipientState#IN_FLIGHT} at the crash comes back as
 * {@link RecipientState#QUEUED}: delivery is at-least-once.
 */
public interface Spool extends SpoolReader {

    /** Begins a message. Never blocks on I/O. */
    SpoolWriter begin(Envelope envelope, BodyForm form);

    /**
     * True when the spool can take a message of {@code bytes} more bytes and still keep its free-space reserve.
     * Cheap; the receiver calls it before {@code 354} ({@code 452 4.3.1} when false).
     */
    boolean hasSpaceFor(long bytes);

    /** Registers the one delivery listener; replays pending messages to it first. */
    void setCommitListener(CommitListener listener);

    /** The current snapshot of a message; empty when unknown, or finished more than a grace period (10 s) ago. */
    Optional<SpoolEntry> entry(MessageId id);

    /**
     * Snapshots of the queue: every unfinished message, plus finished ones for a grace period (10 s), not the
     * history (as Postfix's mailq). Unfinished first is not promised. For the queue CLI.
     */
    List<SpoolEntry> entries();

    /** Opens a committed message's body; empty when unknown, or finished more than the grace period ago. */
    Optional<MessageBody> openBody(MessageId id);

    /**
     * Records a recipient's new state (appended as an event, not synchronously forced: losing it in a crash only
     * means the recipient is tried again). {@link RecipientState#IN_FLIGHT} is kept in memory only: after a crash
     * it would come back QUEUED anyway, and a reader in another process (the queue CLI) sees the state before it.
     * When every recipient of a message is terminal the message becomes reclaimable.
     *
     * @param nextAttemptEpochMs for {@link RecipientState#DEFERRED}: when to try again; otherwise 0
     * @param reply              the remote reply or local diagnostic (kept for bounces and the queue CLI)
     */
    void recordOutcome(MessageId id, int recipientIndex, RecipientState state, long nextAttemptEpochMs, String reply);

    /** Counters for status output. */
    SpoolStats stats();

    /** Stops accepting new messages, completes commits in flight, syncs and releases files. */
    @Override
    void close();
}
