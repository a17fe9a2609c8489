package io.sluice.spool;

/**
 * An immutable snapshot of one recipient's delivery state.
 *
 * @param index              position of the recipient in {@link Envelope#recipients()}
 * @param state              current state
 * @param attempts           delivery attempts so far
 * @param nextAttemptEpochMs when a deferred recipient is due again (0 when not deferred)
 * @param lastReply          the last remote reply or local diagnostic, e.g. {@code 451 4.3.0 try later}; may be
 *                           empty, never null
 */
public record RecipientStatus(int index, RecipientState state, int attempts, long nextAttemptEpochMs, String lastReply) {
}
