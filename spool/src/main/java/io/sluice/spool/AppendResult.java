package io.sluice.spool;

/**
 * The outcome of an append or commit. Expected failures are values, not exceptions (the receiver maps them to
 * SMTP replies: {@link #NO_SPACE} and {@link #IO_ERROR} to {@code 452 4.3.1} / {@code 451 4.3.0},
 * {@link #TOO_LARGE} to {@code 552 5.3.4}).
 */
public enum AppendResult {
    /** Accepted; for a commit: durable as {@code spool.durability} promises. */
    OK,
    /** The spool's disk is (nearly) full; try later. The message is not in the spool. */
    NO_SPACE,
    /** A write or sync failed; the message is not in the spool. */
    IO_ERROR,
    /** The body passed the spool's size limit; the message is not in the spool. */
    TOO_LARGE,
    /** The spool is shutting down or closed; the message is not in the spool. */
    CLOSED;

    public boolean isOk() {
        return this == OK;
    }
}
