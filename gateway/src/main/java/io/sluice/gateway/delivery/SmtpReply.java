package io.sluice.gateway.delivery;

import java.util.List;

/**
 * One reply read from a remote SMTP server: the three-digit code and its text lines (without the code and
 * separator). Allocated once per reply on the client side; replies are a few per message, not per body line.
 *
 * @param code  the reply code, 200..599; {@link #LOCAL_CODE} never appears on the wire
 * @param lines text after {@code "ddd-"} / {@code "ddd "}, one element per line, at least one
 */
record SmtpReply(int code, List<String> lines) {

    static final int LOCAL_CODE = 0;

    SmtpReply {
        lines = List.copyOf(lines);
    }

    static SmtpReply of(int code, String text) {
        return new SmtpReply(code, List.of(text));
    }

    boolean isPositive() {
        return code >= 200 && code < 400;
    }

    boolean isTransient() {
        return code >= 400 && code < 500;
    }

    boolean isPermanent() {
        return code >= 500;
    }

    /** One-line form for the spool, logs and DSN Diagnostic-Code: {@code 550 5.1.1 <a@b>: unknown user}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64).append(code);
        for (String line : lines) {
            sb.append(' ').append(line);
        }
        return sb.toString();
    }
}
