package io.sluice.gateway.cli;

/** A command-line mistake: printed as one line with the usage hint, exit 2. */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
