package io.sluice.gateway.smtp;

import io.sluice.gateway.io.LineReader;
import io.sluice.gateway.smtp.SmtpSession.DataOutcome;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-of-data detection: the same answer however the input is split. */
@Timeout(60)
class DataScannerTest {

    /** Scans {@code wire} in pieces cut at {@code cuts}, the way DataReceiver does; returns [data, rest] or null. */
    private static String[] scanSplit(String wire, int... cuts) {
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        DataScanner s = new DataScanner();
        s.reset();
        StringBuilder data = new StringBuilder();
        int pos = 0;
        int avail = 0;
        int cut = 0;
        while (true) {
            int next = cut < cuts.length ? Math.max(cuts[cut++], avail) : b.length;
            if (next <= avail && avail == b.length) {
                return null;
            }
            avail = Math.min(Math.max(next, avail + (next == avail ? 1 : 0)), b.length);
            int stop = s.scan(b, pos, avail);
            int dataEnd = s.isEnded() ? stop - 3 : stop;
            data.append(wire, pos, dataEnd);
            pos = stop;
            if (s.isEnded()) {
                return new String[] {data.toString(), wire.substring(stop), s.sawBareLineEnding() ? "bare" : "", s.sawLineTooLong() ? "long" : ""};
            }
            if (avail == b.length) {
                return null;
            }
        }
    }

    private static void checkEverySplit(String wire, String data, String rest, String flags) {
        for (int i = 0; i <= wire.length(); i++) {
            for (int j = i; j <= wire.length(); j += 5) {
                String[] r = scanSplit(wire, i, j);
                String where = "split at " + i + "," + j + " of " + wire.replace("\r", "\\r").replace("\n", "\\n");
                assertEquals(data, r[0], where);
                assertEquals(rest, r[1], where);
                assertEquals(flags, r[2] + r[3], where);
            }
        }
    }

    @Test
    void shouldEndOnlyAtCrlfDotCrlf() {
        checkEverySplit("a\r\n.\r\nNOOP\r\n", "a\r\n", "NOOP\r\n", "");
        checkEverySplit(".\r\n", "", "", "");
        checkEverySplit("..\r\n.x\r\n.\r\n", "..\r\n.x\r\n", "", "");
        checkEverySplit("a\r\n..\r\n\r\n.\r\nQ", "a\r\n..\r\n\r\n", "Q", "");
    }

    @Test
    void shouldFlagBareLineEndingsAndNotEndOnThem() {
        checkEverySplit("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", "", "bare");
        checkEverySplit("a\r\n.\nb\r\n.\r\n", "a\r\n.\nb\r\n", "", "bare");
        checkEverySplit("a\r.\r\n.\r\n", "a\r.\r\n", "", "bare");
        checkEverySplit("a\r\n.\rb\r\n.\r\n", "a\r\n.\rb\r\n", "", "bare");
    }

    @Test
    void shouldFlagLinesOver998Octets() {
        String ok = "y".repeat(998) + "\r\n";
        assertEquals("", scanSplit(ok + ".\r\n")[3]);
        assertEquals("long", scanSplit("y".repeat(1000) + "\r\n.\r\n")[3]);
    }

    @Test
    void shouldNotEndWithoutTheTerminator() {
        assertTrue(scanSplit("a\r\n.", 2) == null);
        DataScanner s = new DataScanner();
        s.reset();
        byte[] b = "abc\r\n.\r".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(b.length - 2, s.scan(b, 0, b.length), "'.CR' at the end is held back");
        assertFalse(s.isEnded());
    }

    @Test
    void shouldFindLineEndsEightBytesAtATimeLikeAByteLoop() {
        java.util.Random random = new java.util.Random(42);
        byte[] alphabet = {'\r', '\n', 'a', 0x0C, 0x0E, 0x09, 0x0B, (byte) 0x8D, (byte) 0x8A, 0, (byte) 0xFF, '.'};
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length);
            int expected = from;
            while (expected < b.length && b[expected] != '\r' && b[expected] != '\n') {
                expected++;
            }
            assertEquals(expected, DataScanner.indexOfLineEnd(b, from, b.length), java.util.Arrays.toString(b) + " from " + from);
        }
    }

    /** DataReceiver over a LineReader fed one byte per read: stored bytes equal the wire form minus ".CRLF". */
    @Test
    void shouldStoreTheSameBytesWhateverTheReadSizes() throws IOException {
        String body = "Subject: s\r\n\r\n..dot\r\n" + ("z".repeat(900) + "\r\n").repeat(6) + "end\r\n";
        byte[] wire = (body + ".\r\nQUIT\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int readSize : new int[] {1, 2, 3, 7, 64, 4096}) {
            MemorySpool spool = new MemorySpool();
            LineReader reader = new LineReader(new SmallReads(wire, readSize), 4096);
            DataReceiver r = new DataReceiver(reader, spool, 1 << 20);
            Envelope env = new Envelope("", List.of(Recipient.of("a@b.test")), new ClientInfo("127.0.0.1", "h", "ESMTP", null), 0, null, false, null, null);
            SmtpSession session = new SmtpSession(new SmtpSettings("mx.test",
                new io.sluice.gateway.config.GatewayConfig.SmtpConfig("127.0.0.1", 0, 0, 1 << 20, 10, 10, 10, 10,
                    java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), false, false, false),
                false, new io.sluice.gateway.config.GatewayConfig.RelayConfig(List.of()), new MapDirectory("b.test"), spool),
                InetAddress.getLoopbackAddress(), false);
            r.begin(env, BodyForm.DOT_STUFFED, session, "mx.test");
            assertEquals(DataOutcome.QUEUED, r.receiveData(), "read size " + readSize);
            String stored = new String(spool.only().body(), StandardCharsets.ISO_8859_1);
            assertTrue(stored.startsWith("Received: ") && stored.endsWith("\r\n" + body), "read size " + readSize);
            assertEquals(4, reader.readLine(510), "QUIT still buffered after the data");
        }
    }

    static final class SmallReads extends InputStream {
        private final byte[] data;
        private final int size;
        private int pos;

        SmallReads(byte[] data, int size) {
            this.data = data;
            this.size = size;
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
            int n = Math.min(Math.min(len, size), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    static InputStream unused() {
        return new ByteArrayInputStream(new byte[0]);
    }
}
