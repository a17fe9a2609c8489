package io.sluice.load.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import io.sluice.net.IoDeadlines;
import io.sluice.load.report.WallClock;

/**
 * One SMTP connection to the sink, run start to end on its own virtual thread. Accepts everything that is well
 * formed: any HELO/EHLO, MAIL, RCPT (but see the reject fraction), DATA, BDAT (RFC 3030 CHUNKING, unless turned
 * off), RSET, NOOP, QUIT.
 *
 * <p>Hot path without allocation: one 64 KiB read buffer, lines found by scanning for LF in place, verbs compared
 * as case-folded ints, replies taken from pre-encoded constants into one output buffer. The output is flushed only
 * when the connection is about to block on a read, so a pipelined MAIL/RCPT/DATA group (RFC 2920) is answered
 * with one write, and the 250 after DATA is never held back (the client is waiting for it, so the next read
 * blocks and flushes first). The same holds for BDAT: a client may pipeline MAIL, RCPT and {@code BDAT n LAST}
 * with its n octets, several transactions at once, and gets every reply in one write.
 *
 * <p>BDAT octets are binary: no dot handling and no end marker, just exactly the announced count, consumed even
 * when the chunk is refused (the client sends it anyway). A message's state across its chunks is a
 * {@link ChunkedMessage}, one per connection.
 *
 * <p>Only CRLF-or-LF line ends are looked for; the sink is not a conformance checker, and it accepts a bare LF
 * as a line end so that a buggy client still gets measured instead of hanging.
 */
final class SinkConnection implements Runnable {

    private static final int BUFFER_BYTES = 64 * 1024;
    /** A command line longer than this is discarded with a 500 (RFC 5321 4.5.3.1.4 says 512 octets). */
    private static final int MAX_COMMAND_BYTES = 4096;
    /** Partial DATA lines shorter than this are kept to be examined whole (the end marker, our header). */
    private static final int KEEP_PARTIAL_BYTES = 1024;

    private static final byte[] BANNER = ascii("220 sink.sluice.test ESMTP sluice load sink\r\n");
    private static final byte[] EHLO_REPLY = ascii("250-sink.sluice.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
            + "250-SIZE 1073741824\r\n250 ENHANCEDSTATUSCODES\r\n");
    private static final byte[] EHLO_CHUNKING_REPLY = ascii("250-sink.sluice.test\r\n250-PIPELINING\r\n"
            + "250-8BITMIME\r\n250-SIZE 1073741824\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES\r\n");
    private static final byte[] HELO_REPLY = ascii("250 sink.sluice.test\r\n");
    private static final byte[] MAIL_OK_250 = ascii("250 2.1.0 Ok\r\n");
    private static final byte[] RCPT_OK_250 = ascii("250 2.1.5 Ok\r\n");
    private static final byte[] RCPT_TEMPFAIL_450 = ascii("450 4.2.1 Recipient deferred by the sink\r\n");
    private static final byte[] RCPT_REJECT_550 = ascii("550 5.1.1 Recipient rejected by the sink\r\n");
    private static final byte[] DATA_354 = ascii("354 End data with <CR><LF>.<CR><LF>\r\n");
    private static final byte[] QUEUED_250 = ascii("250 2.0.0 Ok: queued\r\n");
    private static final byte[] CHUNK_OK_250 = ascii("250 2.0.0 Ok: chunk received\r\n");
    private static final byte[] OK_250 = ascii("250 2.0.0 Ok\r\n");
    private static final byte[] BYE_221 = ascii("221 2.0.0 Bye\r\n");
    private static final byte[] VRFY_252 = ascii("252 2.0.0 Cannot VRFY user\r\n");
    private static final byte[] NO_TLS_454 = ascii("454 4.7.0 TLS not available\r\n");
    private static final byte[] NEED_MAIL_503 = ascii("503 5.5.1 Error: need MAIL command\r\n");
    private static final byte[] NEED_RCPT_554 = ascii("554 5.5.1 Error: no valid recipients\r\n");
    private static final byte[] NESTED_MAIL_503 = ascii("503 5.5.1 Error: nested MAIL command\r\n");
    private static final byte[] DATA_AFTER_BDAT_503 = ascii("503 5.5.1 Error: DATA after BDAT\r\n");
    private static final byte[] BDAT_SYNTAX_501 = ascii("501 5.5.4 Syntax: BDAT size [LAST]\r\n");
    private static final byte[] UNKNOWN_502 = ascii("502 5.5.2 Error: command not recognized\r\n");
    private static final byte[] TOO_LONG_500 = ascii("500 5.5.2 Error: line too long\r\n");

    private static final int EHLO = verb("ehlo");
    private static final int HELO = verb("helo");
    private static final int MAIL = verb("mail");
    private static final int RCPT = verb("rcpt");
    private static final int DATA = verb("data");
    private static final int BDAT = verb("bdat");
    private static final int RSET = verb("rset");
    private static final int NOOP = verb("noop");
    private static final int QUIT = verb("quit");
    private static final int VRFY = verb("vrfy");
    private static final int STAR = verb("star"); // STARTTLS

    static final byte[] TS_HEADER = ascii("x-sluice-load-ts:");
    /** The generator's warm-up messages carry their timestamp under this name instead (same length). */
    static final byte[] WARMUP_TS_HEADER = ascii("x-sluice-load-wu:");
    private static final byte[] LAST = ascii("last");
    /** RFC 3030 allows any size; 19 digits is what a long holds (and the value must fit too). */
    private static final int MAX_SIZE_DIGITS = 19;

    private final Socket socket;
    private final int idleTimeoutMs;
    /** Idle timeouts without SO_TIMEOUT (see IoDeadlines): one sweeper for every connection of this process. */
    private static final IoDeadlines READ_DEADLINES = new IoDeadlines("sink-read-deadlines");

    private IoDeadlines.Deadline readDeadline;
    private final SinkStats stats;
    private final double rejectFraction;
    private final byte[] rejectReply;
    private final boolean chunking;
    private final byte[] ehloReply;
    private final long replyDelayNs;

    private final byte[] in = new byte[BUFFER_BYTES];
    private int pos;
    private int end;
    private final byte[] out = new byte[4096];
    private int outLen;
    private InputStream input;
    private OutputStream output;

    private boolean hasMail;
    private int acceptedRcpts;
    private final ChunkedMessage chunked = new ChunkedMessage();
    /** Set by parseBdat: the chunk just parsed ends its message. */
    private boolean lastChunk;

    SinkConnection(Socket socket, SinkStats stats, double rejectFraction, int rejectCode, int idleTimeoutMs,
                   boolean chunking, long replyDelayNs) {
        this.socket = socket;
        this.idleTimeoutMs = idleTimeoutMs;
        this.stats = stats;
        this.rejectFraction = rejectFraction;
        this.rejectReply = rejectCode == 550 ? RCPT_REJECT_550 : RCPT_TEMPFAIL_450;
        this.chunking = chunking;
        this.replyDelayNs = replyDelayNs;
        this.ehloReply = chunking ? EHLO_CHUNKING_REPLY : EHLO_REPLY;
    }

    @Override
    public void run() {
        stats.connections.increment();
        stats.openConnections.incrementAndGet();
        readDeadline = READ_DEADLINES.register(socket);
        try (socket) {
            socket.setTcpNoDelay(true);
            input = socket.getInputStream();
            output = socket.getOutputStream();
            reply(BANNER);
            while (commandLoopStep()) {
                // one command per step
            }
            flush();
        } catch (IOException e) {
            // Expected: the client hung up, reset, or idled out. Counted by the generator, not logged here.
        } finally {
            readDeadline.release();
            stats.openConnections.decrementAndGet();
        }
    }

    /** Reads and answers one command; false when the connection is done. */
    private boolean commandLoopStep() throws IOException {
        int lf = findLf(pos);
        while (lf < 0) {
            if (end - pos >= MAX_COMMAND_BYTES) {
                return discardLongLine();
            }
            if (!fill()) {
                return false;
            }
            lf = findLf(pos);
        }
        int lineStart = pos;
        int lineLen = lf - pos; // without LF
        pos = lf + 1;
        if (lineLen > MAX_COMMAND_BYTES) {
            stats.protocolErrors.increment();
            reply(TOO_LONG_500);
            return true;
        }
        int v = lineLen >= 4 ? folded(lineStart) : 0;
        if (v == EHLO) {
            reply(ehloReply);
            resetTransaction();
        } else if (v == HELO) {
            reply(HELO_REPLY);
            resetTransaction();
        } else if (v == MAIL) {
            if (hasMail) {
                reply(NESTED_MAIL_503);
            } else {
                hasMail = true;
                reply(MAIL_OK_250);
            }
        } else if (v == RCPT) {
            onRcpt();
        } else if (v == DATA) {
            if (!hasMail) {
                reply(NEED_MAIL_503);
            } else if (chunked.isStarted()) {
                reply(DATA_AFTER_BDAT_503);
            } else if (acceptedRcpts == 0) {
                reply(NEED_RCPT_554);
            } else {
                reply(DATA_354);
                if (!readMessage()) {
                    return false;
                }
                reply(QUEUED_250);
                resetTransaction();
            }
        } else if (v == BDAT && chunking) {
            return onBdat(lineStart, lineLen);
        } else if (v == RSET) {
            resetTransaction();
            reply(OK_250);
        } else if (v == NOOP) {
            reply(OK_250);
        } else if (v == QUIT) {
            reply(BYE_221);
            return false;
        } else if (v == VRFY) {
            reply(VRFY_252);
        } else if (v == STAR) {
            reply(NO_TLS_454);
        } else {
            stats.protocolErrors.increment();
            reply(UNKNOWN_502);
        }
        return true;
    }

    private void onRcpt() {
        if (!hasMail) {
            reply(NEED_MAIL_503);
        } else if (rejectFraction > 0 && ThreadLocalRandom.current().nextDouble() < rejectFraction) {
            stats.rcptRejected.increment();
            reply(rejectReply);
        } else {
            acceptedRcpts++;
            reply(RCPT_OK_250);
        }
    }

    private void resetTransaction() {
        hasMail = false;
        acceptedRcpts = 0;
        chunked.reset();
    }

    /**
     * BDAT size [LAST]. The octets follow the line unasked, so once the size is known they are consumed whatever
     * the reply; only a malformed line (size unknown) consumes nothing. Returns false if the client hung up first.
     */
    private boolean onBdat(int lineStart, int lineLen) throws IOException {
        long size = parseBdat(lineStart + 4, lineStart + lineLen);
        if (size < 0) {
            stats.protocolErrors.increment();
            reply(BDAT_SYNTAX_501);
            return true;
        }
        boolean last = lastChunk;
        boolean accepted = hasMail && acceptedRcpts > 0;
        if (!consumeChunk(size, accepted)) {
            return false;
        }
        if (!hasMail) {
            reply(NEED_MAIL_503);
        } else if (!accepted) {
            reply(NEED_RCPT_554);
            if (last) {
                resetTransaction();
            }
        } else if (!last) {
            reply(CHUNK_OK_250);
        } else {
            stats.onMessage(chunked.bytes(), chunked.injectEpochNs(), WallClock.epochNs(), chunked.isWarmup());
            reply(QUEUED_250);
            resetTransaction();
        }
        return true;
    }

    /**
     * The size in "BDAT size [LAST]", reading from just after the verb to the line end (LF excluded), and sets
     * lastChunk; -1 if the line is malformed.
     */
    private long parseBdat(int from, int to) {
        if (to > from && in[to - 1] == '\r') {
            to--;
        }
        int i = skipSpaces(from, to);
        if (i == from) {
            return -1; // no space after the verb
        }
        int digitsEnd = i;
        long size = 0;
        while (digitsEnd < to && in[digitsEnd] >= '0' && in[digitsEnd] <= '9') {
            int d = in[digitsEnd] - '0';
            if (digitsEnd - i == MAX_SIZE_DIGITS || size > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            size = size * 10 + d;
            digitsEnd++;
        }
        if (digitsEnd == i) {
            return -1;
        }
        int j = skipSpaces(digitsEnd, to);
        lastChunk = j > digitsEnd && to - j >= LAST.length && startsWithFolded(j, LAST);
        if (lastChunk) {
            j = skipSpaces(j + LAST.length, to);
        }
        return j == to ? size : -1;
    }

    private int skipSpaces(int from, int to) {
        int i = from;
        while (i < to && in[i] == ' ') {
            i++;
        }
        return i;
    }

    /**
     * Consumes exactly size octets after a BDAT line, however many reads they span, handing them to the chunked
     * message if isMessage (otherwise they are dropped). Returns false if the client hung up first.
     */
    private boolean consumeChunk(long size, boolean isMessage) throws IOException {
        long left = size;
        while (true) {
            int n = (int) Math.min(left, end - pos);
            if (isMessage) {
                chunked.accept(in, pos, pos + n);
            }
            pos += n;
            left -= n;
            if (left == 0) {
                return true;
            }
            if (!fill()) {
                return false;
            }
        }
    }

    /**
     * Consumes the message up to and including the end-of-data line, noting its size and timestamp header (or that
     * it is a warm-up message, which the sink counts apart and leaves out of every figure).
     * Returns false if the client hung up first.
     */
    private boolean readMessage() throws IOException {
        boolean lineStart = true;
        boolean inHeaders = true;
        long sizeBytes = 0;
        long injectEpochNs = 0;
        boolean warmup = false;
        while (true) {
            int lf = findLf(pos);
            if (lf < 0) {
                int partial = end - pos;
                if (!(lineStart && partial < KEEP_PARTIAL_BYTES)) {
                    // Too long to be the end marker or our header: count it and drop it.
                    sizeBytes += partial;
                    pos = end;
                    lineStart = false;
                }
                if (!fill()) {
                    return false;
                }
                continue;
            }
            int len = lf + 1 - pos;
            if (lineStart) {
                if (in[pos] == '.' && (len == 2 || (len == 3 && in[pos + 1] == '\r'))) {
                    pos = lf + 1;
                    stats.onMessage(sizeBytes, injectEpochNs, WallClock.epochNs(), warmup);
                    return true;
                }
                if (inHeaders) {
                    if (len <= 2 && (in[pos] == '\r' || in[pos] == '\n')) {
                        inHeaders = false;
                    } else if (injectEpochNs == 0 && !warmup && len > TS_HEADER.length) {
                        if (startsWithFolded(pos, TS_HEADER)) {
                            injectEpochNs = parseDigits(pos + TS_HEADER.length, lf);
                        } else if (startsWithFolded(pos, WARMUP_TS_HEADER)) {
                            warmup = true;
                        }
                    }
                }
            }
            sizeBytes += len;
            pos = lf + 1;
            lineStart = true;
        }
    }

    /** Skips to the end of an over-long command line and answers 500 (Postfix "command too long"). */
    private boolean discardLongLine() throws IOException {
        stats.protocolErrors.increment();
        while (true) {
            int lf = findLf(pos);
            if (lf >= 0) {
                pos = lf + 1;
                reply(TOO_LONG_500);
                return true;
            }
            pos = end;
            if (!fill()) {
                return false;
            }
        }
    }

    /**
     * Flushes pending replies (we are about to block), keeps the unread tail, reads more. False at end of stream.
     */
    private boolean fill() throws IOException {
        flush();
        if (pos == end) {
            pos = 0;
            end = 0;
        } else if (end == in.length || pos > in.length / 2) {
            System.arraycopy(in, pos, in, 0, end - pos);
            end -= pos;
            pos = 0;
        }
        readDeadline.arm(idleTimeoutMs); // a silent client is closed (a timeout ends its read with an exception)
        int n;
        try {
            n = input.read(in, end, in.length - end);
        } finally {
            readDeadline.disarm();
        }
        if (n < 0) {
            return false;
        }
        end += n;
        return true;
    }

    private int findLf(int from) {
        byte[] b = in;
        for (int i = from, e = end; i < e; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int folded(int at) {
        return ((in[at] | 0x20) << 24) | ((in[at + 1] | 0x20) << 16) | ((in[at + 2] | 0x20) << 8) | (in[at + 3] | 0x20);
    }

    private boolean startsWithFolded(int at, byte[] lowerPrefix) {
        for (int i = 0; i < lowerPrefix.length; i++) {
            byte c = in[at + i];
            if (c >= 'A' && c <= 'Z') {
                c = (byte) (c | 0x20);
            }
            if (c != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Decimal digits after optional spaces; 0 if there are none (the message then counts as unstamped). */
    private long parseDigits(int from, int to) {
        int i = from;
        while (i < to && (in[i] == ' ' || in[i] == '\t')) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < to && in[i] >= '0' && in[i] <= '9' && digits < 19) {
            v = v * 10 + (in[i] - '0');
            i++;
            digits++;
        }
        return v;
    }

    private void reply(byte[] bytes) {
        if (outLen + bytes.length > out.length) {
            try {
                flush();
            } catch (IOException e) {
                // the next read fails too and ends the connection
            }
        }
        System.arraycopy(bytes, 0, out, outLen, bytes.length);
        outLen += bytes.length;
    }

    private void flush() throws IOException {
        if (outLen > 0) {
            if (replyDelayNs > 0) {
                // A server a round trip away: the client sees each batch of replies that much later. Only the
                // replies wait; what the client pipelined meanwhile is read in the next fill, as over a WAN.
                try {
                    Thread.sleep(java.time.Duration.ofNanos(replyDelayNs));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("sink stopping");
                }
            }
            int n = outLen;
            outLen = 0;
            output.write(out, 0, n);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int verb(String lower) {
        byte[] b = ascii(lower);
        return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    }
}
