package io.sluice.gateway.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP reply as data: the three-digit code, the RFC 3463 enhanced status code (empty only for the banner,
 * HELO/EHLO and SASL challenges, as RFC 2034 3 allows), the text, whether the connection closes after it, and
 * its wire bytes, encoded once. Immutable; fixed replies are constants in {@link Replies}.
 */
public record Reply(int code, String enhanced, String text, boolean closesConnection, byte[] wire) {

    static Reply of(int code, String enhanced, String text) {
        return new Reply(code, enhanced, text, false, encode(code, enhanced, List.of(text), true));
    }

    static Reply closing(int code, String enhanced, String text) {
        return new Reply(code, enhanced, text, true, encode(code, enhanced, List.of(text), true));
    }

    /** A reply of several lines ("250-a", "250 b"), each carrying the enhanced code when there is one. */
    static Reply multiline(int code, String enhanced, List<String> lines) {
        return new Reply(code, enhanced, String.join(" / ", lines), false, encode(code, enhanced, lines, true));
    }

    /** The first part of a reply whose end is written per use (the queue id); its wire has no CRLF. */
    static Reply prefix(int code, String enhanced, String text) {
        return new Reply(code, enhanced, text, false, encode(code, enhanced, List.of(text), false));
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isPermanentFailure() {
        return code >= 500;
    }

    private static byte[] encode(int code, String enhanced, List<String> lines, boolean crlf) {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        if (!enhanced.isEmpty() && enhanced.charAt(0) - '0' != code / 100) {
            throw new IllegalArgumentException("enhanced code " + enhanced + " does not match " + code);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (!enhanced.isEmpty()) {
                sb.append(enhanced).append(' ');
            }
            sb.append(lines.get(i));
            if (crlf || i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return new String(wire, StandardCharsets.US_ASCII).strip();
    }
}
