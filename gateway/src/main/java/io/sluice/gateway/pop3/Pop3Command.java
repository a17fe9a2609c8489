package io.sluice.gateway.pop3;

/**
 * The POP3 verbs (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS) with the states each is allowed in. Verbs are matched
 * as an int of their ASCII-folded bytes, without building a String.
 */
enum Pop3Command {
    USER(true, false),
    PASS(true, false),
    APOP(true, false),
    STLS(true, false),
    AUTH(true, false),
    CAPA(true, true),
    QUIT(true, true),
    NOOP(false, true),
    STAT(false, true),
    LIST(false, true),
    RETR(false, true),
    DELE(false, true),
    RSET(false, true),
    TOP(false, true),
    UIDL(false, true);

    final boolean allowedInAuthorization;
    final boolean allowedInTransaction;
    private final int key;

    private static final Pop3Command[] VALUES = values();

    Pop3Command(boolean allowedInAuthorization, boolean allowedInTransaction) {
        this.allowedInAuthorization = allowedInAuthorization;
        this.allowedInTransaction = allowedInTransaction;
        byte[] b = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.key = fold(b, 0, b.length);
    }

    /** The verb at {@code buf[start..start+length)} up to the first space, or null when unknown. */
    static Pop3Command find(byte[] buf, int start, int length) {
        int end = start;
        while (end < start + length && buf[end] != ' ') {
            end++;
        }
        if (end - start < 3 || end - start > 4) {
            return null;
        }
        int k = fold(buf, start, end - start);
        for (Pop3Command c : VALUES) {
            if (c.key == k) {
                return c;
            }
        }
        return null;
    }

    /** Letters only (anything else cannot match a verb); {@code | 0x20} folds ASCII letters to lower case. */
    private static int fold(byte[] b, int start, int length) {
        int k = length;
        for (int i = start; i < start + length; i++) {
            int c = b[i] | 0x20;
            if (c < 'a' || c > 'z') {
                return -1;
            }
            k = (k << 7) | c;
        }
        return k;
    }
}
