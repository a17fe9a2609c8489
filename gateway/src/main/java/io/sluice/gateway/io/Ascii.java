package io.sluice.gateway.io;

/**
 * ASCII helpers over byte ranges, for protocol parsing without Strings: case-folded 4-byte verb keys (as Helidon
 * matches {@code GET_INT}), natural-number parsing in place (as Agrona's {@code parseNaturalLongAscii}), and
 * printable truncated text for log lines. Stateless, allocation-free except {@link #printable}.
 */
public final class Ascii {

    private Ascii() {
    }

    /**
     * The bytes {@code b[off..off+4)} folded to lower case with {@code | 0x20} and packed big-endian. For letters
     * the fold is exact: only 'X' and 'x' map to 'x', so a folded match cannot be fooled by other bytes.
     */
    public static int foldedInt(byte[] b, int off) {
        return ((b[off] | 0x20) & 0xFF) << 24 | ((b[off + 1] | 0x20) & 0xFF) << 16
            | ((b[off + 2] | 0x20) & 0xFF) << 8 | ((b[off + 3] | 0x20) & 0xFF);
    }

    /** {@link #foldedInt(byte[], int)} of a 4-letter constant, for building verb tables. */
    public static int foldedInt(String fourLetters) {
        if (fourLetters.length() != 4) {
            throw new IllegalArgumentException("need 4 letters: " + fourLetters);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | ((fourLetters.charAt(i) | 0x20) & 0xFF);
        }
        return v;
    }

    /** True when {@code b[off..off+len)} equals {@code lower} (ASCII, lower case) ignoring case. */
    public static boolean equalsIgnoreCase(byte[] b, int off, int len, String lower) {
        if (len != lower.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int c = b[off + i];
            if (c >= 'A' && c <= 'Z') {
                c |= 0x20;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Parses ASCII digits {@code b[off..off+len)} as a non-negative long; -1 when empty, not digits or overflowing. */
    public static long parseNatural(byte[] b, int off, int len) {
        if (len <= 0 || len > 18) {
            return -1;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Parses a CharSequence of digits as a non-negative long; -1 when empty, not digits or over 18 digits. */
    public static long parseNatural(CharSequence s) {
        int len = s.length();
        if (len == 0 || len > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < len; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** True when every byte in the range is below 0x80. */
    public static boolean isAscii(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Client-supplied text made safe for a log line: at most {@code max} chars, control and non-ASCII characters
     * replaced by '?' (Postfix prints client text with {@code %.100s} after the same cleaning).
     */
    public static String printable(CharSequence s, int max) {
        if (s == null) {
            return "";
        }
        int n = Math.min(s.length(), max);
        StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (s.length() > max) {
            sb.append("...");
        }
        return sb.toString();
    }
}
