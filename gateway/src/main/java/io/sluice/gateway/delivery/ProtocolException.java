package io.sluice.gateway.delivery;

import java.io.IOException;

/**
 * An expected failure of an outbound session (bad reply syntax, TLS refused, a session-level reject), carrying
 * the reply text to record for the recipients. No stack trace: this is a value that travels up one or two frames
 * (STYLE 8), never a bug.
 */
final class ProtocolException extends IOException {

    private final transient SmtpReply reply;

    /** {@code text} starts with a code and enhanced code, e.g. {@code 421 4.5.0 malformed reply}. */
    ProtocolException(String text) {
        this(parse(text));
    }

    ProtocolException(SmtpReply reply) {
        super(reply.toString());
        this.reply = reply;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    SmtpReply reply() {
        return reply;
    }

    private static SmtpReply parse(String text) {
        return SmtpReply.of(Integer.parseInt(text.substring(0, 3)), text.substring(4));
    }
}
