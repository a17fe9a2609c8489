package io.sluice.gateway.pop3;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads POP3 command lines into one fixed buffer: no {@code String}, no copy, never grows. {@link #readLine()}
 * returns the line's length (without the line end) and leaves it at {@link #buffer()}[{@link #start()}...].
 * A line longer than {@link #MAX_LINE} is skipped up to its line end and reported as {@link #TOO_LONG}.
 *
 * <p>Unlike SMTP, a bare LF is accepted as a line end: POP3 commands carry no message data, so there is nothing
 * to smuggle, and some scripted clients send LF. (A small private reader because the shared
 * {@code io.LineReader} was not available when this was written; swapping it in is a local change here.)
 *
 * <p>Used by one connection thread only.
 */
final class Pop3LineReader {

    /** RFC 2449 4: a command line is at most 255 octets including CRLF. */
    static final int MAX_LINE = 255;
    static final int EOF = -1;
    static final int TOO_LONG = -2;

    private final byte[] buf = new byte[MAX_LINE * 4];
    private InputStream in;
    private int readPos;
    private int limit;
    private int lineStart;

    Pop3LineReader(InputStream in) {
        this.in = in;
    }

    byte[] buffer() {
        return buf;
    }

    int start() {
        return lineStart;
    }

    /** True when bytes of a further line are already buffered (pipelining: don't flush replies yet). */
    boolean hasBuffered() {
        return readPos < limit;
    }

    /**
     * Drops everything buffered and reads from {@code next} from now on. After STLS this discards any plaintext
     * the client pipelined behind the command (RFC 2595 4, the STARTTLS command-injection attack).
     */
    void switchTo(InputStream next) {
        in = next;
        readPos = 0;
        limit = 0;
    }

    int readLine() throws IOException {
        boolean discarding = false;
        while (true) {
            for (int i = readPos; i < limit; i++) {
                if (buf[i] == '\n') {
                    int start = readPos;
                    int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    readPos = i + 1;
                    if (discarding || i + 1 - start > MAX_LINE) {
                        return TOO_LONG;
                    }
                    lineStart = start;
                    return end - start;
                }
            }
            if (limit - readPos >= MAX_LINE) {
                discarding = true;
                readPos = limit;
            }
            if (readPos > 0) {
                System.arraycopy(buf, readPos, buf, 0, limit - readPos);
                limit -= readPos;
                readPos = 0;
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                return EOF;
            }
            limit += n;
        }
    }
}
