package io.sluice.gateway.smtp;

import io.sluice.gateway.io.Ascii;

/**
 * The verb table. Each verb carries its requirements as fields, like Postfix's {@code smtpd_cmd_table[]}:
 * whether it ends a pipeline group (RFC 2920 3.1: the server flushes replies after it) and whether a failure
 * counts toward the session's error limit. Verbs are matched as one int after ASCII case folding, without a String.
 */
enum SmtpCommand {
    HELO(true, true),
    EHLO(true, true),
    MAIL(false, true),
    RCPT(false, true),
    DATA(true, true),
    BDAT(false, true),
    RSET(false, false),
    NOOP(true, false),
    VRFY(true, true),
    EXPN(true, true),
    HELP(true, false),
    QUIT(true, false),
    STARTTLS(true, true),
    AUTH(true, true),
    /** Anything else, including an empty line. */
    UNKNOWN(false, true);

    private static final SmtpCommand[] FOUR_LETTER = {HELO, EHLO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, VRFY, EXPN, HELP, QUIT, AUTH};
    private static final int[] KEYS = new int[FOUR_LETTER.length];
    private static final int STAR = Ascii.foldedInt("STAR");
    private static final int TTLS = Ascii.foldedInt("TTLS");

    static {
        for (int i = 0; i < FOUR_LETTER.length; i++) {
            KEYS[i] = Ascii.foldedInt(FOUR_LETTER[i].name());
        }
    }

    final boolean endsPipelineGroup;
    final boolean countsAsError;

    SmtpCommand(boolean endsPipelineGroup, boolean countsAsError) {
        this.endsPipelineGroup = endsPipelineGroup;
        this.countsAsError = countsAsError;
    }

    /** Length of the verb's name in octets. */
    int verbLength() {
        return this == STARTTLS ? 8 : 4;
    }

    /** The verb at the start of {@code b[off..off+len)}; the verb must be followed by a space or the end of line. */
    static SmtpCommand of(byte[] b, int off, int len) {
        if (len < 4 || (len > 4 && b[off + 4] != ' ' && len < 8)) {
            return UNKNOWN;
        }
        int key = Ascii.foldedInt(b, off);
        if (key == STAR) {
            return len >= 8 && Ascii.foldedInt(b, off + 4) == TTLS && (len == 8 || b[off + 8] == ' ') ? STARTTLS : UNKNOWN;
        }
        if (len > 4 && b[off + 4] != ' ') {
            return UNKNOWN;
        }
        for (int i = 0; i < KEYS.length; i++) {
            if (KEYS[i] == key) {
                return FOUR_LETTER[i];
            }
        }
        return UNKNOWN;
    }
}
