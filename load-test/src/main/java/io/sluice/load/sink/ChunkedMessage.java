package io.sluice.load.sink;

/**
 * One message arriving by BDAT (RFC 3030), carried across its chunks: the octets so far and what its header
 * section says about the load headers. One per connection, reset with each transaction, so nothing is allocated.
 *
 * <p>The header section is scanned a byte at a time because a chunk (or a read) may end anywhere, even inside the
 * header looked for. The rules are those of DATA in {@link SinkConnection}: complete lines only, in the header
 * section only, prefix at the line start and case-insensitive; the first {@code X-Sluice-Load-Ts} with digits or
 * {@code X-Sluice-Load-Wu} ends the scan. Past the header section the octets are only counted.
 */
final class ChunkedMessage {

    private static final byte[] TS_HEADER = SinkConnection.TS_HEADER;
    private static final byte[] WARMUP_TS_HEADER = SinkConnection.WARMUP_TS_HEADER;
    private static final int PREFIX_BYTES = TS_HEADER.length; // both names have the same length
    private static final int MAY_BE_TS = 1;
    private static final int MAY_BE_WU = 2;
    private static final int MAX_STAMP_DIGITS = 19;

    private boolean started;
    private long bytes;
    private long injectEpochNs;
    private boolean warmup;
    /** Still in the header section with no stamp found: the only time a byte is looked at. */
    private boolean scanning;

    // The current header line; its findings count at its LF, as DATA only examines complete lines.
    /** Bytes of the line so far, counted up to the prefix length only. */
    private int col;
    private boolean startsWithCr;
    /** Which of the two prefixes the line still matches (MAY_BE_TS, MAY_BE_WU bits). */
    private int match;
    private long stamp;
    private int stampDigits;
    private boolean stampDone;

    ChunkedMessage() {
        reset();
    }

    void reset() {
        started = false;
        bytes = 0;
        injectEpochNs = 0;
        warmup = false;
        scanning = true;
        newLine();
    }

    /** Takes one chunk's octets {@code b[from, to)}; a zero-length chunk still starts the message. */
    void accept(byte[] b, int from, int to) {
        started = true;
        bytes += to - from;
        for (int i = from; i < to && scanning; i++) {
            byte c = b[i];
            if (c == '\n') {
                endLine();
            } else if (match != 0) {
                lineByte(c);
            } else if (col == 1 && startsWithCr) {
                col = 2; // CR then something: not a blank line, and no prefix, so the rest is skipped
            }
        }
    }

    /** True once a chunk of this transaction was accepted: DATA is then out of sequence (RFC 3030 section 3). */
    boolean isStarted() {
        return started;
    }

    long bytes() {
        return bytes;
    }

    long injectEpochNs() {
        return injectEpochNs;
    }

    boolean isWarmup() {
        return warmup;
    }

    private void lineByte(byte c) {
        if (col < PREFIX_BYTES) {
            byte folded = c >= 'A' && c <= 'Z' ? (byte) (c | 0x20) : c;
            if (folded != TS_HEADER[col]) {
                match &= ~MAY_BE_TS;
            }
            if (folded != WARMUP_TS_HEADER[col]) {
                match &= ~MAY_BE_WU;
            }
            if (col == 0) {
                startsWithCr = c == '\r';
            }
            col++;
        } else if (match == MAY_BE_TS && !stampDone) {
            stampByte(c);
        }
    }

    /** Spaces or tabs, then up to 19 digits: the same number DATA's parse finds. */
    private void stampByte(byte c) {
        if (stampDigits == 0 && (c == ' ' || c == '\t')) {
            return;
        }
        if (c >= '0' && c <= '9' && stampDigits < MAX_STAMP_DIGITS) {
            stamp = stamp * 10 + (c - '0');
            stampDigits++;
        } else {
            stampDone = true;
        }
    }

    private void endLine() {
        if (col == 0 || (col == 1 && startsWithCr)) {
            scanning = false; // the blank line ending the header section
        } else if (col == PREFIX_BYTES && match == MAY_BE_WU) {
            warmup = true;
            scanning = false;
        } else if (col == PREFIX_BYTES && match == MAY_BE_TS) {
            injectEpochNs = stamp;
            scanning = stamp == 0; // no digits: unstamped so far, later lines may still say
        }
        newLine();
    }

    private void newLine() {
        col = 0;
        startsWithCr = false;
        match = MAY_BE_TS | MAY_BE_WU;
        stamp = 0;
        stampDigits = 0;
        stampDone = false;
    }
}
