package io.sluice.gateway.pop3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(60)
class MessageStreamerTest {

    static final String MESSAGE = "H: 1\r\n.H: dot\r\n\r\n.b1\r\nb2\r\n..b3\r\n.\r\nb5\r\n";

    /** Hands out at most {@code chunk} bytes per read, to split the input at every position. */
    static InputStream chunked(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    static String send(String message, int chunk, long top) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new MessageStreamer().send(chunked(message.getBytes(StandardCharsets.UTF_8), chunk), out, top);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldStuffDotsAndTerminateWhateverTheReadSizes() throws Exception {
        String expected = "H: 1\r\n..H: dot\r\n\r\n..b1\r\nb2\r\n...b3\r\n..\r\nb5\r\n.\r\n";
        for (int chunk = 1; chunk <= MESSAGE.length() + 1; chunk++) {
            assertEquals(expected, send(MESSAGE, chunk, -1), "chunk " + chunk);
        }
    }

    @Test
    void shouldSendHeaderAndFirstBodyLinesForTop() throws Exception {
        for (int chunk = 1; chunk <= MESSAGE.length() + 1; chunk++) {
            assertEquals("H: 1\r\n..H: dot\r\n\r\n.\r\n", send(MESSAGE, chunk, 0), "chunk " + chunk);
            assertEquals("H: 1\r\n..H: dot\r\n\r\n..b1\r\nb2\r\n.\r\n", send(MESSAGE, chunk, 2), "chunk " + chunk);
            assertEquals(send(MESSAGE, chunk, -1), send(MESSAGE, chunk, 100), "chunk " + chunk);
        }
    }

    @Test
    void shouldEndWithCrlfWhenTheFileDoesNot() throws Exception {
        assertEquals("a\r\nb\r\n.\r\n", send("a\r\nb", 3, -1));
        assertEquals(".\r\n", send("", 3, -1));
    }
}
