package io.sluice.gateway.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class LineReaderTest {

    /** Hands out its bytes in reads that end at the given cut points, like a TCP stream split into packets. */
    static final class ChunkedInput extends InputStream {
        private final byte[] data;
        private final int[] cuts;
        private int pos;
        private int cut;

        ChunkedInput(byte[] data, int... cuts) {
            this.data = data;
            this.cuts = cuts;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            while (cut < cuts.length && cuts[cut] <= pos) {
                cut++;
            }
            int stop = cut < cuts.length ? cuts[cut] : data.length;
            int n = Math.min(len, stop - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static List<String> readAll(InputStream in, int capacity, int maxLength) throws IOException {
        LineReader r = new LineReader(in, capacity);
        List<String> out = new ArrayList<>();
        while (true) {
            int n = r.readLine(maxLength);
            if (n == LineReader.EOF) {
                return out;
            }
            out.add(n >= 0 ? new String(r.buffer(), r.lineStart(), n, StandardCharsets.ISO_8859_1)
                : n == LineReader.TOO_LONG ? "<too long>" : "<bare lf>");
        }
    }

    private static final String SAMPLE = "EHLO a.example\r\nMAIL FROM:<x@y>\r\n\r\nBARE\nNEXT\r\n"
        + "X".repeat(40) + "\r\nCR\rINSIDE\r\nlast\r\npartial";

    @Test
    void shouldReturnTheSameLinesWhenInputIsSplitAtEveryBytePosition() throws IOException {
        byte[] data = SAMPLE.getBytes(StandardCharsets.ISO_8859_1);
        List<String> expected = List.of("EHLO a.example", "MAIL FROM:<x@y>", "", "<bare lf>", "NEXT", "<too long>",
            "CR\rINSIDE", "last");
        assertEquals(expected, readAll(new ByteArrayInputStream(data), 64, 32));
        for (int i = 0; i <= data.length; i++) {
            assertEquals(expected, readAll(new ChunkedInput(data, i), 64, 32), "split at " + i);
            for (int j = i + 1; j <= data.length; j += 3) {
                assertEquals(expected, readAll(new ChunkedInput(data, i, j), 64, 32), "split at " + i + "," + j);
            }
        }
    }

    @Test
    void shouldHandOutOneByteReadsLikeOneBigRead() throws IOException {
        byte[] data = SAMPLE.getBytes(StandardCharsets.ISO_8859_1);
        int[] everyByte = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(readAll(new ByteArrayInputStream(data), 64, 32), readAll(new ChunkedInput(data, everyByte), 64, 32));
    }

    @Test
    void shouldSkipAnOverlongLineAndKeepReadingTheNextOne() throws IOException {
        String longLine = "A".repeat(5000);
        byte[] data = ("NOOP\r\n" + longLine + "\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of("NOOP", "<too long>", "QUIT"), readAll(new ChunkedInput(data, 7, 100, 4000), 600, 510));
    }

    @Test
    void shouldAcceptALineOfExactlyTheLimit() throws IOException {
        String line = "B".repeat(510);
        assertEquals(List.of(line), readAll(new ByteArrayInputStream((line + "\r\n").getBytes(StandardCharsets.US_ASCII)), 512, 510));
        assertEquals(List.of("<too long>"), readAll(new ByteArrayInputStream((line + "B\r\n").getBytes(StandardCharsets.US_ASCII)), 512, 510));
    }

    @Test
    void shouldReportCompleteLinesWithoutBlocking() throws IOException {
        LineReader r = new LineReader(new ChunkedInput("A\r\nB\r\nC".getBytes(StandardCharsets.US_ASCII)), 64);
        assertEquals(1, r.readLine(32));
        assertTrue(r.hasCompleteLine());
        assertEquals(1, r.readLine(32));
        assertFalse(r.hasCompleteLine());
        assertEquals(1, r.available());
        assertEquals(1, r.reset(new ByteArrayInputStream(new byte[0])), "reset discards buffered bytes");
        assertEquals(LineReader.EOF, r.readLine(32));
    }

    @Test
    void shouldRefuseALimitThatDoesNotFit() {
        LineReader r = new LineReader(new ByteArrayInputStream(new byte[0]), 64);
        assertThrows(IllegalArgumentException.class, () -> r.readLine(63));
    }

    @Test
    void shouldFoldVerbsAndParseNumbers() {
        byte[] b = "mAiL 12345 x".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Ascii.foldedInt("MAIL"), Ascii.foldedInt(b, 0));
        assertEquals(12345, Ascii.parseNatural(b, 5, 5));
        assertEquals(-1, Ascii.parseNatural(b, 5, 7));
        assertEquals(-1, Ascii.parseNatural("9".repeat(19)));
        assertTrue(Ascii.equalsIgnoreCase(b, 0, 4, "mail"));
        assertEquals("a?b...", Ascii.printable("a\nbcd", 3));
    }
}
