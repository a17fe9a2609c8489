package io.sluice.load.cli;

/**
 * A bad command line: printed as one line with the usage text, exit code 2. No stack trace is kept, since
 * the cause is the user's input, not the program.
 */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
