package io.sluice.gateway.smtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the end of DATA ({@code CRLF . CRLF}, RFC 5321 4.1.1.4) in buffer ranges, and notices what the body must
 * not contain: a bare CR or LF (RFC 5321 2.3.8; accepting them is what SMTP smuggling exploits, so only the exact
 * CRLF.CRLF sequence ends the data and a bare line ending anywhere refuses the message) and lines over 1000
 * octets with CRLF (4.5.3.1.6; one more is tolerated for the stuffed dot). The body is left in wire form:
 * dot-stuffing stays as it is (stored as {@code BodyForm.DOT_STUFFED}).
 *
 * <p>{@link #scan} returns how far its caller may consume. A '.' or ".CR" at the very end of a range might be
 * the start of the terminator, so it is held back: the caller keeps those bytes buffered and presents them again
 * with more input. The terminator's ".CRLF" is never part of the data. Works on ranges with a tight inner loop,
 * never one byte per read; allocation-free; one instance per connection, reset per message.
 */
final class DataScanner {

    /** Longest line accepted, CRLF excluded: 998 (RFC 5322 2.1.1) plus one stuffed dot. */
    static final int MAX_LINE_OCTETS = 999;

    private static final int LINE_START = 0;
    private static final int TEXT = 1;
    private static final int CR = 2;
    private static final int DOT = 3;
    private static final int DOT_CR = 4;

    private int state;
    private int lineLength;
    private boolean ended;
    private boolean bareLineEnding;
    private boolean lineTooLong;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;

    /**
     * Index of the first CR or LF in {@code b[from..to)}, or {@code to}. Eight bytes per step (SWAR: a byte of
     * {@code w ^ CRS} is zero where {@code w} has a CR; {@code (x - ONES) & ~x & HIGHS} flags zero bytes, exact
     * for the lowest one, which is the one we take). Text lines are long runs without either byte, so this is
     * where DATA spends its time; DataScannerBenchmark measures it.
     */
    static int indexOfLineEnd(byte[] b, int from, int to) {
        int i = from;
        while (i + 8 <= to) {
            long w = (long) LONGS.get(b, i);
            long cr = w ^ CRS;
            long lf = w ^ LFS;
            long found = ((cr - ONES) & ~cr | (lf - ONES) & ~lf) & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += 8;
        }
        while (i < to && b[i] != '\r' && b[i] != '\n') {
            i++;
        }
        return i;
    }

    void reset() {
        state = LINE_START;
        lineLength = 0;
        ended = false;
        bareLineEnding = false;
        lineTooLong = false;
    }

    /** The terminator was found; the last {@link #scan} result points just past its LF. */
    boolean isEnded() {
        return ended;
    }

    boolean sawBareLineEnding() {
        return bareLineEnding;
    }

    boolean sawLineTooLong() {
        return lineTooLong;
    }

    /**
     * Scans {@code b[from..to)}.
     *
     * @return when {@link #isEnded()}: the index after the terminator (data ends 3 bytes earlier); otherwise the
     * index up to which the bytes are data, the rest (at most 2 bytes) being held back for the next call
     */
    int scan(byte[] b, int from, int to) {
        int s = state;
        int len = lineLength;
        int i = from;
        while (i < to) {
            byte c = b[i];
            switch (s) {
                case TEXT -> {
                    // Hot loop: most bytes are plain text.
                    int start = i;
                    i = indexOfLineEnd(b, i, to);
                    len += i - start;
                    if (len > MAX_LINE_OCTETS) {
                        lineTooLong = true;
                    }
                    if (i == to) {
                        continue;
                    }
                    if (b[i] == '\r') {
                        s = CR;
                    } else {
                        bareLineEnding = true;
                        s = LINE_START;
                        len = 0;
                    }
                    i++;
                }
                case LINE_START -> {
                    if (c == '.') {
                        s = DOT;
                        len = 1;
                        i++;
                    } else {
                        s = TEXT;
                    }
                }
                case CR -> {
                    if (c == '\n') {
                        s = LINE_START;
                        len = 0;
                        i++;
                    } else {
                        bareLineEnding = true;
                        s = TEXT;
                    }
                }
                case DOT -> {
                    if (c == '\r') {
                        s = DOT_CR;
                        i++;
                    } else {
                        s = TEXT;
                    }
                }
                case DOT_CR -> {
                    if (c == '\n') {
                        ended = true;
                        state = LINE_START;
                        return i + 1;
                    }
                    bareLineEnding = true;
                    s = TEXT;
                }
                default -> throw new IllegalStateException("state " + s);
            }
        }
        if (s == DOT || s == DOT_CR) {
            state = LINE_START;
            lineLength = 0;
            return to - (s == DOT ? 1 : 2);
        }
        state = s;
        lineLength = len;
        return to;
    }
}
