package io.sluice.gateway.delivery;

import java.io.IOException;
import java.io.InputStream;

/**
 * Turns a message (RAW form: CRLF lines, no stuffing) into DATA wire form on the fly (RFC 5321 4.5.2: a line
 * that starts with '.' gets one more), in fixed chunks; it never holds the whole message. Also reports whether
 * the message ended with CRLF, so the caller can add one before the terminating {@code .CRLF}.
 * One instance per transfer; not thread-safe. {@link #unstuffInPlace} goes the other way, for BDAT.
 */
final class DotStuffer {

    /** Where stuffed chunks go. */
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    private static final int CHUNK_BYTES = 32 * 1024;

    private final byte[] in = new byte[CHUNK_BYTES];
    private final byte[] out = new byte[CHUNK_BYTES * 2];
    private boolean atLineStart = true;
    private byte last = '\n';
    private byte beforeLast = '\r';

    /** Copies {@code src} to {@code sink} dot-stuffed; returns true when the message ended with CRLF (or was empty). */
    boolean copy(InputStream src, Sink sink) throws IOException {
        int n;
        while ((n = src.read(in, 0, in.length)) > 0) {
            int o = 0;
            for (int i = 0; i < n; i++) {
                byte b = in[i];
                if (atLineStart && b == '.') {
                    out[o++] = '.';
                }
                out[o++] = b;
                atLineStart = b == '\n';
                beforeLast = last;
                last = b;
            }
            sink.write(out, 0, o);
        }
        return last == '\n' && beforeLast == '\r';
    }

    /**
     * The reverse, for a whole DATA-form message in {@code b[from, from + length)}: drops the dot that stuffing
     * added at the start of each line (a line starts after LF; the receiver refused bare ones, so that is after
     * CRLF). Returns the new length. Most messages have no such line, so it looks first and moves bytes only
     * from the first stuffed dot on.
     */
    static int unstuffInPlace(byte[] b, int from, int length) {
        int end = from + length;
        int r = from;
        if (length > 0 && b[from] != '.') {
            while (r < end - 1 && !(b[r] == '\n' && b[r + 1] == '.')) {
                r++;
            }
            if (r >= end - 1) {
                return length;
            }
            r++; // the dot after the LF
        }
        int w = r;
        boolean atLineStart = true;
        for (; r < end; r++) {
            byte c = b[r];
            if (atLineStart && c == '.') {
                atLineStart = false;
                continue;
            }
            b[w++] = c;
            atLineStart = c == '\n';
        }
        return w - from;
    }
}
