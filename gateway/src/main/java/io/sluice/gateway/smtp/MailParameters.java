package io.sluice.gateway.smtp;

import io.sluice.gateway.io.Ascii;
import io.sluice.spool.Recipient;

import java.util.Locale;

/**
 * Parses the ESMTP parameters after a MAIL or RCPT path (RFC 5321 4.1.2 {@code Mail-parameters}): SIZE (RFC 1870),
 * BODY (RFC 6152, 3030), SMTPUTF8 (RFC 6531), RET/ENVID/NOTIFY/ORCPT (RFC 3461), AUTH (RFC 4954 5, accepted and
 * ignored). Unknown, duplicated or (after HELO) unadvertised parameters are refused. Immutable result;
 * {@link #error} is non-null when parsing failed and is the reply to send.
 */
final class MailParameters {

    static final String BODY_7BIT = "7BIT";

    long size;
    String body = BODY_7BIT;
    boolean smtpUtf8;
    String ret;
    String envId;
    int notifyFlags = Recipient.NOTIFY_DEFAULT;
    String orcpt;
    Reply error;

    boolean isBinaryMime() {
        return "BINARYMIME".equals(body);
    }

    /**
     * @param text     the argument text after the path
     * @param from     index of the first character after the path's '>'
     * @param mail     true for MAIL, false for RCPT
     * @param extended the session said EHLO (after plain HELO no parameter is advertised, so none is accepted)
     */
    static MailParameters parse(String text, int from, boolean mail, boolean extended) {
        MailParameters p = new MailParameters();
        int seen = 0;
        int i = from;
        while (i < text.length()) {
            if (text.charAt(i) != ' ') {
                return p.fail(Replies.SYNTAX_ERROR_501);
            }
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            if (i == text.length()) {
                break;
            }
            int end = text.indexOf(' ', i);
            if (end < 0) {
                end = text.length();
            }
            String param = text.substring(i, end);
            i = end;
            if (!extended) {
                return p.fail(Replies.UNKNOWN_PARAMETER_555);
            }
            int eq = param.indexOf('=');
            String key = (eq < 0 ? param : param.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : param.substring(eq + 1);
            int bit = bit(key, mail);
            if (bit == 0) {
                return p.fail(Replies.UNKNOWN_PARAMETER_555);
            }
            if ((seen & bit) != 0) {
                return p.fail(Replies.SYNTAX_ERROR_501);
            }
            seen |= bit;
            Reply r = p.apply(key, value);
            if (r != null) {
                return p.fail(r);
            }
        }
        return p;
    }

    private static int bit(String key, boolean mail) {
        return switch (key) {
            case "SIZE" -> mail ? 1 : 0;
            case "BODY" -> mail ? 2 : 0;
            case "SMTPUTF8" -> mail ? 4 : 0;
            case "RET" -> mail ? 8 : 0;
            case "ENVID" -> mail ? 16 : 0;
            case "AUTH" -> mail ? 32 : 0;
            case "NOTIFY" -> mail ? 0 : 64;
            case "ORCPT" -> mail ? 0 : 128;
            default -> 0;
        };
    }

    private Reply apply(String key, String value) {
        switch (key) {
            case "SMTPUTF8" -> {
                if (value != null) {
                    return Replies.SYNTAX_ERROR_501;
                }
                smtpUtf8 = true;
                return null;
            }
            default -> {
                if (value == null || value.isEmpty()) {
                    return Replies.SYNTAX_ERROR_501;
                }
            }
        }
        switch (key) {
            case "SIZE" -> {
                size = Ascii.parseNatural(value);
                return size < 0 ? Replies.SYNTAX_ERROR_501 : null;
            }
            case "BODY" -> {
                body = value.toUpperCase(Locale.ROOT);
                return body.equals("7BIT") || body.equals("8BITMIME") || body.equals("BINARYMIME") ? null : Replies.SYNTAX_ERROR_501;
            }
            case "RET" -> {
                ret = value.toUpperCase(Locale.ROOT);
                return ret.equals("FULL") || ret.equals("HDRS") ? null : Replies.SYNTAX_ERROR_501;
            }
            case "ENVID" -> {
                envId = PathParser.decodeXtext(value);
                return envId == null || value.length() > 100 ? Replies.SYNTAX_ERROR_501 : null;
            }
            case "AUTH" -> {
                return PathParser.decodeXtext(value) == null ? Replies.SYNTAX_ERROR_501 : null;
            }
            case "NOTIFY" -> {
                return parseNotify(value.toUpperCase(Locale.ROOT));
            }
            case "ORCPT" -> {
                int semi = value.indexOf(';');
                String decoded = semi <= 0 ? null : PathParser.decodeXtext(value.substring(semi + 1));
                if (decoded == null || decoded.isEmpty() || value.length() > 500) {
                    return Replies.SYNTAX_ERROR_501;
                }
                orcpt = value.substring(0, semi) + ";" + decoded;
                return null;
            }
            default -> throw new IllegalStateException("unhandled parameter " + key);
        }
    }

    private Reply parseNotify(String value) {
        if (value.equals("NEVER")) {
            notifyFlags = Recipient.NOTIFY_NEVER;
            return null;
        }
        int flags = 0;
        for (String part : value.split(",", -1)) {
            switch (part) {
                case "SUCCESS" -> flags |= Recipient.NOTIFY_SUCCESS;
                case "FAILURE" -> flags |= Recipient.NOTIFY_FAILURE;
                case "DELAY" -> flags |= Recipient.NOTIFY_DELAY;
                default -> {
                    return Replies.SYNTAX_ERROR_501;
                }
            }
        }
        notifyFlags = flags;
        return null;
    }

    private MailParameters fail(Reply reply) {
        error = reply;
        return this;
    }
}
