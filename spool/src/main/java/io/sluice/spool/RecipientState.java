package io.sluice.spool;

/** Where one recipient of a spooled message stands. Terminal states end the recipient's life in the spool. */
public enum RecipientState {
    QUEUED(false),
    IN_FLIGHT(false),
    DEFERRED(false),
    DELIVERED(true),
    BOUNCED(true),
    EXPIRED(true);

    private final boolean isTerminal;

    RecipientState(boolean isTerminal) {
        this.isTerminal = isTerminal;
    }

    public boolean isTerminal() {
        return isTerminal;
    }
}
