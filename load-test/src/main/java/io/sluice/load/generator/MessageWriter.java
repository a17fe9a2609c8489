package io.sluice.load.generator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes one test message of an exact size into a {@link ClientConnection}: a few fixed headers, a unique
 * Message-ID, the {@code X-Sluice-Load-Ts} header (epoch nanoseconds of the intended send time, which the sink
 * subtracts from its arrival time; {@code X-Sluice-Load-Wu} on warm-up messages), a blank line, then a prefix of
 * one shared body of 78-octet lines, and the end-of-data line. Nothing is allocated per message; the body is built
 * once per run and shared read-only by all sessions. No body line starts with '.', so no dot-stuffing is needed.
 */
final class MessageWriter {

    static final String TS_HEADER = "X-Sluice-Load-Ts";
    /**
     * Marks a warm-up message for the sink, which leaves it out of its figures. Same length as {@link #TS_HEADER}
     * and the same value, so a warm-up message is byte for byte as large as a measured one.
     */
    static final String WARMUP_TS_HEADER = "X-Sluice-Load-Wu";
    /** 76 printable characters plus CRLF: the line length of a typical MIME body. */
    private static final int LINE_BYTES = 78;

    private final byte[] body;
    private final byte[] headersBeforeId;
    private final byte[] idSuffix;
    private final byte[] tsPrefix;
    private final byte[] warmupTsPrefix;
    private static final byte[] END_OF_HEADERS_AND_TS = {'\r', '\n', '\r', '\n'};
    private static final byte[] END_OF_DATA = {'\r', '\n', '.', '\r', '\n'};

    /** Bytes of everything but the body, for a typical id and timestamp; sizes are exact to within a few bytes. */
    private final int overheadBytes;

    MessageWriter(String from, String to, int maxMessageBytes) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());
        this.headersBeforeId = ("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: Sluice load test\r\n"
                + "Date: " + date + "\r\nMessage-ID: <").getBytes(StandardCharsets.US_ASCII);
        this.idSuffix = "@load.sluice.test>\r\n".getBytes(StandardCharsets.US_ASCII);
        this.tsPrefix = (TS_HEADER + ": ").getBytes(StandardCharsets.US_ASCII);
        this.warmupTsPrefix = (WARMUP_TS_HEADER + ": ").getBytes(StandardCharsets.US_ASCII);
        this.overheadBytes = headersBeforeId.length + 16 + idSuffix.length + tsPrefix.length + 19
                + END_OF_HEADERS_AND_TS.length + 3;
        this.body = buildBody(maxMessageBytes);
    }

    private static byte[] buildBody(int maxBytes) {
        int lines = maxBytes / LINE_BYTES + 1;
        byte[] b = new byte[lines * LINE_BYTES];
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int l = 0; l < lines; l++) {
            int base = l * LINE_BYTES;
            for (int i = 0; i < LINE_BYTES - 2; i++) {
                b[base + i] = (byte) alphabet.charAt((l + i) % alphabet.length());
            }
            b[base + LINE_BYTES - 2] = '\r';
            b[base + LINE_BYTES - 1] = '\n';
        }
        return b;
    }

    /**
     * Writes the message (not flushed).
     *
     * @param messageId   unique per run, e.g. session * 2^32 + sequence
     * @param injectEpochNs the intended send time, epoch nanoseconds
     * @param sizeBytes   total message size wanted
     * @param warmup      stamp it with {@link #WARMUP_TS_HEADER} instead of {@link #TS_HEADER}
     */
    void write(ClientConnection c, long messageId, long injectEpochNs, int sizeBytes, boolean warmup)
            throws IOException {
        c.write(headersBeforeId);
        c.writeDecimal(messageId);
        c.write(idSuffix);
        c.write(warmup ? warmupTsPrefix : tsPrefix);
        c.writeDecimal(injectEpochNs);
        c.write(END_OF_HEADERS_AND_TS);
        int bodyBytes = Math.max(0, sizeBytes - overheadBytes);
        int fullLines = bodyBytes / LINE_BYTES;
        int rest = bodyBytes % LINE_BYTES;
        if (rest >= 2) {
            // Whole lines, then a shorter last line whose CRLF is the one END_OF_DATA starts with.
            c.write(body, 0, fullLines * LINE_BYTES + rest - 2);
            c.write(END_OF_DATA);
        } else {
            // Whole lines only (sizes are exact to a byte): just the final ".CRLF".
            c.write(body, 0, fullLines * LINE_BYTES);
            c.write(END_OF_DATA, 2, 3);
        }
    }
}
