package io.sluice.spool.chronicle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Removes SMTP dot-stuffing (RFC 5321 4.5.2): a line that starts with '.' loses that first '.', so ".." at a line
 * start becomes ".". Lines end in CRLF; the stored form holds no terminating ".CRLF". Works in place on the
 * caller's array, in bulk; allocates nothing per read.
 */
final class DotUnstuffingInputStream extends FilterInputStream {

    private boolean isAtLineStart = true;
    private final byte[] one = new byte[1];

    DotUnstuffingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            int n = in.read(b, off, len);
            if (n < 0) {
                return -1;
            }
            int w = off;
            for (int i = off; i < off + n; i++) {
                byte c = b[i];
                if (isAtLineStart && c == '.') {
                    isAtLineStart = false;
                    continue;
                }
                isAtLineStart = c == '\n';
                b[w++] = c;
            }
            if (w > off) {
                return w - off;
            }
        }
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public int available() {
        return 0;
    }
}
