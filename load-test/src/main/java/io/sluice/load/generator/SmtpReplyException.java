package io.sluice.load.generator;

import java.io.IOException;

/**
 * A reply that ends a connection attempt (bad banner, EHLO refused, STARTTLS missing). Expected under load, so no
 * stack trace is captured; {@link #code()} is counted by reply code (0: no usable reply).
 */
final class SmtpReplyException extends IOException {

    private static final long serialVersionUID = 1L;
    private final int code;

    SmtpReplyException(int code, String message) {
        super(message);
        this.code = code;
    }

    int code() {
        return code;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
