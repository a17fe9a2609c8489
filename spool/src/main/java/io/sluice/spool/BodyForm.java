package io.sluice.spool;

/** How the stored body bytes are encoded; decides whether the relay can send them unchanged. */
public enum BodyForm {
    /**
     * The DATA wire form: CRLF line ends, lines starting with '.' carry an extra '.', and the terminating
     * {@code .CRLF} is not stored. The relay writes it straight back out after its own DATA command.
     */
    DOT_STUFFED,
    /** The message itself (as received by BDAT, or generated): CRLF line ends, no stuffing. */
    RAW
}
