package io.sluice.spool;

import java.util.List;

/**
 * An immutable snapshot of one spooled message: its envelope, body size and form, and each recipient's status
 * (same order as the envelope's recipients).
 */
public record SpoolEntry(MessageId id, Envelope envelope, BodyForm bodyForm, long bodyBytes,
                         List<RecipientStatus> recipients) {

    public SpoolEntry {
        recipients = List.copyOf(recipients);
    }

    /** True when every recipient is in a terminal state. */
    public boolean isFinished() {
        for (RecipientStatus r : recipients) {
            if (!r.state().isTerminal()) {
                return false;
            }
        }
        return true;
    }
}
