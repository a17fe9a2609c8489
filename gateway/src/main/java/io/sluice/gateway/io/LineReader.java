package io.sluice.gateway.io;

import io.sluice.net.IoDeadlines;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * Reads CRLF-terminated lines from a blocking stream into one fixed {@code byte[]} and hands them out in place:
 * {@link #readLine} returns the line's length and the line starts at {@link #lineStart()} in {@link #buffer()}.
 * No String, no copy, no allocation per line; the buffer compacts on refill and never grows.
 *
 * <p>Only CRLF ends a line (RFC 5321 2.3.8). An LF without a CR before it ends the line with {@link #BARE_LF}
 * instead of a length, so the protocol layer can refuse it: treating a bare LF as a line end is what makes
 * SMTP smuggling possible. A line longer than the caller's limit is skipped up to its LF and reported as
 * {@link #TOO_LONG} (Netty's "discarding" mode), so the session can reply and go on.
 *
 * <p>Raw access for DATA and BDAT: {@link #position()}, {@link #limit()}, {@link #consume(int)} and
 * {@link #fill()} expose the unread bytes as a range of {@link #buffer()}.
 *
 * <p>Timeouts: with {@link #setTimeouts} the reader arms the connection's {@link IoDeadlines.Deadline} before each
 * blocking read for the smaller of the per-read timeout and the time left until an overall deadline, so a client
 * trickling one byte per minute cannot hold a command line (or a DATA phase) open for longer than the deadline.
 * When the deadline's action has cut the read short (the stream ends or the read fails), the reader throws
 * {@link SocketTimeoutException}, as a socket read timeout would.
 *
 * <p>Used by exactly one thread (the connection's virtual thread). Allocates nothing after construction.
 */
public final class LineReader {

    /** The stream ended before a complete line. */
    public static final int EOF = -1;
    /** The line was longer than the limit; it was skipped through its LF. */
    public static final int TOO_LONG = -2;
    /** An LF without CR before it ended the line; the line was skipped through that LF. */
    public static final int BARE_LF = -3;

    private final byte[] buf;
    private InputStream in;
    private int start;
    private int end;
    private int scanned;
    private int lineStart;

    private static final String READ_TIMED_OUT = "read timed out";

    private IoDeadlines.Deadline deadline;
    private int readTimeoutMs;
    private long deadlineNs;

    public LineReader(InputStream in, int capacity) {
        if (capacity < 16) {
            throw new IllegalArgumentException("capacity too small: " + capacity);
        }
        this.buf = new byte[capacity];
        this.in = in;
    }

    /** Switches to a new stream (after STARTTLS), discarding every buffered byte. Returns how many were discarded. */
    public int reset(InputStream newIn) {
        int discarded = end - start;
        in = newIn;
        start = end = scanned = lineStart = 0;
        return discarded;
    }

    /**
     * Applies timeouts to each later blocking read.
     *
     * @param deadline      armed around each read; its action must end a blocked read; null disables timeouts
     * @param readTimeoutMs longest wait for any one read
     * @param deadlineNs    {@link System#nanoTime()} value after which reads time out; 0 for none
     */
    public void setTimeouts(IoDeadlines.Deadline deadline, int readTimeoutMs, long deadlineNs) {
        this.deadline = deadline;
        this.readTimeoutMs = readTimeoutMs;
        this.deadlineNs = deadlineNs;
    }

    public byte[] buffer() {
        return buf;
    }

    public int capacity() {
        return buf.length;
    }

    /** Start of the line last returned by {@link #readLine}. */
    public int lineStart() {
        return lineStart;
    }

    /** Index of the first unread byte. */
    public int position() {
        return start;
    }

    /** Index after the last buffered byte. */
    public int limit() {
        return end;
    }

    /** Unread bytes in the buffer. */
    public int available() {
        return end - start;
    }

    /** Marks {@code n} buffered bytes as read. */
    public void consume(int n) {
        if (n < 0 || n > end - start) {
            throw new IllegalArgumentException("consume " + n + " of " + (end - start));
        }
        start += n;
        if (scanned < start) {
            scanned = start;
        }
    }

    /** True when the unread bytes hold a whole line (an LF): the next {@link #readLine} will not block. */
    public boolean hasCompleteLine() {
        for (int i = Math.max(start, scanned); i < end; i++) {
            if (buf[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the next line.
     *
     * @param maxLength longest line accepted, without its CRLF; must be at most {@code capacity() - 2}
     * @return the line's length (the line is at {@link #lineStart()}, CRLF not included), or {@link #EOF},
     * {@link #TOO_LONG}, {@link #BARE_LF}
     */
    public int readLine(int maxLength) throws IOException {
        if (maxLength > buf.length - 2) {
            throw new IllegalArgumentException("maxLength " + maxLength + " does not fit capacity " + buf.length);
        }
        boolean discarding = false;
        int from = Math.max(start, scanned);
        while (true) {
            for (int i = from; i < end; i++) {
                if (buf[i] == '\n') {
                    int lineBegin = start;
                    start = i + 1;
                    scanned = start;
                    if (discarding) {
                        return TOO_LONG;
                    }
                    if (i == lineBegin || buf[i - 1] != '\r') {
                        return BARE_LF;
                    }
                    int length = i - 1 - lineBegin;
                    if (length > maxLength) {
                        return TOO_LONG;
                    }
                    lineStart = lineBegin;
                    return length;
                }
            }
            // No LF yet. More than maxLength bytes plus a CR cannot become an acceptable line: drop them.
            if (discarding || end - start > maxLength + 1) {
                discarding = true;
                start = end;
            }
            scanned = end;
            int n = fill();
            if (n < 0) {
                return EOF;
            }
            from = scanned;
        }
    }

    /**
     * Reads more bytes after the buffered ones, compacting first when the buffer's tail is full. Blocks until at
     * least one byte arrives. Returns the number read, or -1 at end of stream.
     *
     * @throws IllegalStateException when the buffer is full of unread bytes (the caller must consume first)
     */
    public int fill() throws IOException {
        if (start == end) {
            scanned -= start;
            start = end = 0;
            if (scanned < 0) {
                scanned = 0;
            }
        } else if (end == buf.length) {
            if (start == 0) {
                throw new IllegalStateException("buffer full of unread bytes");
            }
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            scanned -= start;
            lineStart = 0;
            start = 0;
        }
        if (deadline == null) {
            return readIntoBuffer();
        }
        armDeadline();
        int n;
        try {
            n = readIntoBuffer();
        } catch (IOException e) {
            throw deadline.timeoutOr(e, READ_TIMED_OUT);
        } finally {
            deadline.disarm();
        }
        if (n < 0) {
            deadline.throwIfFired(READ_TIMED_OUT);
        }
        return n;
    }

    private int readIntoBuffer() throws IOException {
        int n = in.read(buf, end, buf.length - end);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    private void armDeadline() throws SocketTimeoutException {
        int timeoutMs = readTimeoutMs;
        if (deadlineNs != 0) {
            long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            timeoutMs = (int) Math.min(timeoutMs, leftMs);
        }
        deadline.arm(timeoutMs);
    }
}
