package io.sluice.gateway.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Collects reply bytes in one fixed buffer and writes them in one go on {@link #flush()}, so a pipelined batch of
 * commands gets its replies in one packet (RFC 2920). Fixed replies are copied from their pre-encoded bytes;
 * variable parts (a queue id, a host name) are written with {@link #writeAscii} and {@link #writeHex16}, never
 * by building a String first. When the buffer fills it is flushed early; nothing is ever lost.
 *
 * <p>Used by one thread (the connection's). Allocates nothing after construction.
 */
public final class ReplyWriter {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final byte[] buf;
    private OutputStream out;
    private int count;

    public ReplyWriter(OutputStream out, int capacity) {
        this.out = out;
        this.buf = new byte[capacity];
    }

    /** Switches to a new stream (after STARTTLS); pending bytes must have been flushed. */
    public void reset(OutputStream newOut) {
        if (count != 0) {
            throw new IllegalStateException(count + " reply bytes not flushed before switching streams");
        }
        out = newOut;
    }

    public int pending() {
        return count;
    }

    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    public void write(byte[] bytes, int off, int len) throws IOException {
        while (len > 0) {
            if (count == buf.length) {
                drain();
            }
            int n = Math.min(len, buf.length - count);
            System.arraycopy(bytes, off, buf, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** Writes the chars of {@code s} as bytes; chars above 0x7F become '?' (replies are ASCII). */
    public void writeAscii(CharSequence s) throws IOException {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (count == buf.length) {
                drain();
            }
            char c = s.charAt(i);
            buf[count++] = (byte) (c < 0x80 ? c : '?');
        }
    }

    /** Writes {@code value} as 16 lower-case hex digits (the queue id form). */
    public void writeHex16(long value) throws IOException {
        if (buf.length - count < 16) {
            drain();
        }
        for (int i = 15; i >= 0; i--) {
            buf[count + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
        count += 16;
    }

    public void crlf() throws IOException {
        write(CRLF, 0, 2);
    }

    /** Sends everything pending and flushes the stream. */
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }
}
