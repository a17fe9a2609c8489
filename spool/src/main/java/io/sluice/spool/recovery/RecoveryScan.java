package io.sluice.spool.recovery;

import io.sluice.spool.RecipientState;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.index.MessageIndex;

/**
 * What is trusted after a crash, and what is replayed. The storage layer reads the queue from its oldest file to
 * its end, in append order, and feeds each decoded record here; the result is the {@link MessageIndex}.
 *
 * <ul>
 *   <li>A message exists if and only if its MESSAGE record was read. The storage engine publishes a record only
 *       when it is complete, so a record half-written at the crash is never seen. Chunks not sealed by a MESSAGE
 *       record (an abort, a failed write, or a crash before commit) are ignored: no partial message is visible.
 *       Chunks always precede their MESSAGE record (one writer thread, one appender), so a sealed message has
 *       all of them.</li>
 *   <li>A message committed with {@code fsync} durability was forced to disk before anyone was told; with
 *       {@code os} it survives a process crash (the page cache outlives the JVM) but not a power loss.</li>
 *   <li>Events are applied in order; each carries the recipient's whole state, so the last one wins. Events
 *       are not forced individually: one lost in a machine crash means that recipient is tried again.</li>
 *   <li>Events about messages not in the index are ignored: those messages were finished and their file was
 *       reclaimed (see the reclamation rule in {@code chronicle.CycleFiles}).</li>
 *   <li>A recipient that was {@link RecipientState#IN_FLIGHT} comes back {@link RecipientState#QUEUED}: the
 *       attempt's outcome is unknown, so delivery is at-least-once.</li>
 *   <li>Records with an unknown layout version are skipped and counted, never guessed at.</li>
 * </ul>
 * Single-threaded: used by the opening thread only.
 */
public final class RecoveryScan {

    private final MessageIndex index;
    private long maxSeenId;
    private long messages;
    private long events;
    private long skipped;

    public RecoveryScan(MessageIndex index) {
        this.index = index;
    }

    /** Any record's id (including chunks of aborted messages): new ids must stay above all of them. */
    public void onId(long id) {
        maxSeenId = Math.max(maxSeenId, id);
    }

    public void onMessage(IndexedMessage m) {
        onId(m.id());
        index.add(m);
        messages++;
    }

    public void onEvent(long id, int recipient, RecipientState state, int attempts, long nextAttemptEpochMs,
                        String reply) {
        index.restore(id, recipient, state, attempts, nextAttemptEpochMs, reply);
        events++;
    }

    /** A record this version cannot read (unknown version or type, or inconsistent lengths). */
    public void onSkipped() {
        skipped++;
    }

    /** Ends the scan before the spool takes over; returns the index to serve from. */
    public MessageIndex finish() {
        index.requeueInFlight();
        return index;
    }

    /**
     * Ends a scan made only to look (the queue CLI, possibly while the gateway runs): states stay as recorded,
     * so a spool written before IN_FLIGHT stopped being recorded shows such recipients as IN_FLIGHT.
     */
    public MessageIndex finishForInspection() {
        return index;
    }

    public long maxSeenId() {
        return maxSeenId;
    }

    public long messages() {
        return messages;
    }

    public long events() {
        return events;
    }

    public long skipped() {
        return skipped;
    }
}
