package io.sluice.spool.chronicle;

import io.sluice.spool.RecipientState;

/** A recipient state change on its way to the writer thread, which appends it as an EVENT record. */
record EventOp(long messageId, int recipient, RecipientState state, int attempts, long nextAttemptEpochMs,
               byte[] replyUtf8) {
}
