package io.sluice.gateway.delivery;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP replies, single and multiline (RFC 5321 4.2.1: {@code ddd-text} continues, {@code ddd text} ends),
 * from a blocking stream through one fixed buffer. Lenient about bare LF: we are the client, and refusing a
 * server's sloppy line ends only loses mail. A reply line longer than the buffer, or without a code, is a
 * protocol error. Not thread-safe: one per connection, used by its delivery thread.
 */
final class ReplyReader {

    /** RFC 5321 4.5.3.1.5: reply lines are at most 512 octets; servers exceed that, so allow plenty. */
    static final int MAX_LINE_BYTES = 4096;
    /** A multiline EHLO reply with more lines than this is hostile. */
    private static final int MAX_LINES = 100;

    private final byte[] buf = new byte[MAX_LINE_BYTES * 2];
    private InputStream in;
    private int pos;
    private int limit;

    ReplyReader(InputStream in) {
        this.in = in;
    }

    /** After STARTTLS: read from the TLS stream. Any buffered plaintext would be an injection attack. */
    void switchTo(InputStream tlsIn) throws IOException {
        if (pos != limit) {
            throw new ProtocolException("421 4.7.0 plaintext data after STARTTLS reply (injection attempt?)");
        }
        this.in = tlsIn;
    }

    SmtpReply read() throws IOException {
        List<String> lines = new ArrayList<>(2);
        int code = -1;
        while (true) {
            int eol = findLf(pos); // may compact the buffer: read pos only after it
            int end = eol > pos && buf[eol - 1] == '\r' ? eol - 1 : eol;
            int len = end - pos;
            if (len < 3 || !isDigit(buf[pos]) || !isDigit(buf[pos + 1]) || !isDigit(buf[pos + 2])) {
                throw new ProtocolException("421 4.5.0 malformed reply line from server");
            }
            int lineCode = (buf[pos] - '0') * 100 + (buf[pos + 1] - '0') * 10 + (buf[pos + 2] - '0');
            if (code >= 0 && lineCode != code) {
                throw new ProtocolException("421 4.5.0 inconsistent codes in multiline reply");
            }
            code = lineCode;
            boolean more = len > 3 && buf[pos + 3] == '-';
            int textStart = Math.min(pos + 4, end);
            lines.add(new String(buf, textStart, end - textStart, StandardCharsets.UTF_8));
            pos = eol + 1;
            if (!more) {
                if (code < 200 || code > 599) {
                    throw new ProtocolException("421 4.5.0 reply code out of range: " + code);
                }
                return new SmtpReply(code, lines);
            }
            if (lines.size() > MAX_LINES) {
                throw new ProtocolException("421 4.5.0 too many reply lines");
            }
        }
    }

    /** Returns the index of the next LF at or after {@code from}, reading (and compacting) as needed. */
    private int findLf(int from) throws IOException {
        int scan = from;
        while (true) {
            for (; scan < limit; scan++) {
                if (buf[scan] == '\n') {
                    return scan;
                }
            }
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                scan -= pos;
                limit -= pos;
                pos = 0;
            }
            if (limit - pos >= MAX_LINE_BYTES) {
                throw new ProtocolException("421 4.5.0 reply line too long");
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                throw new EOFException("connection closed by server");
            }
            limit += n;
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
