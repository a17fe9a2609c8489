package io.sluice.gateway.delivery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class ReplyReaderTest {

    private static final String WIRE = "250-smtp.test Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 CHUNKING\r\n"
        + "550 5.1.1 <x@y>: unknown\r\n";

    @Test
    void shouldReadMultilineRepliesSplitAtEveryBytePosition() throws IOException {
        byte[] bytes = WIRE.getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= bytes.length; split++) {
            InputStream in = new SequenceInputStream(new ByteArrayInputStream(bytes, 0, split),
                new ByteArrayInputStream(bytes, split, bytes.length - split));
            ReplyReader r = new ReplyReader(in);
            SmtpReply ehlo = r.read();
            assertEquals(250, ehlo.code());
            assertEquals(List.of("smtp.test Hello", "PIPELINING", "SIZE 1000", "CHUNKING"), ehlo.lines());
            PeerCapabilities caps = PeerCapabilities.parse(ehlo);
            assertEquals(1000, caps.maxSizeBytes(), "split at " + split);
            assertEquals(true, caps.hasChunking() && caps.hasPipelining());
            assertEquals("550 5.1.1 <x@y>: unknown", r.read().toString());
        }
    }

    @Test
    void shouldAcceptBareLfAndCodeOnlyLines() throws IOException {
        ReplyReader r = new ReplyReader(new ByteArrayInputStream("220\n354 go\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(220, r.read().code());
        assertEquals(354, r.read().code());
    }

    @Test
    void shouldRefuseGarbageAndReportEof() {
        ReplyReader bad = new ReplyReader(new ByteArrayInputStream("hello\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(ProtocolException.class, bad::read);
        ReplyReader mixed = new ReplyReader(new ByteArrayInputStream("250-a\r\n251 b\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(ProtocolException.class, mixed::read);
        ReplyReader eof = new ReplyReader(new ByteArrayInputStream("250-a\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(EOFException.class, eof::read);
        ReplyReader longLine = new ReplyReader(new ByteArrayInputStream(
            ("250 " + "x".repeat(ReplyReader.MAX_LINE_BYTES)).getBytes(StandardCharsets.US_ASCII)));
        assertThrows(ProtocolException.class, longLine::read);
    }
}
