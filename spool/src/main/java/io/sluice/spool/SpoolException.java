package io.sluice.spool;

/**
 * The spool cannot be used at all: its directory is missing and cannot be created, is not writable, is held by
 * another process, or its files cannot be read. Thrown by opens only; failures of single messages are
 * {@link AppendResult} values.
 */
public final class SpoolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }

    public SpoolException(String message) {
        super(message);
    }
}
