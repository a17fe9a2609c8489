package io.sluice.gateway.pop3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(60)
class Pop3LineReaderTest {

    static List<String> lines(String input, int chunk) throws Exception {
        Pop3LineReader r = new Pop3LineReader(MessageStreamerTest.chunked(input.getBytes(StandardCharsets.US_ASCII), chunk));
        List<String> out = new ArrayList<>();
        for (int n; (n = r.readLine()) != Pop3LineReader.EOF; ) {
            out.add(n == Pop3LineReader.TOO_LONG ? "<too long>"
                : new String(r.buffer(), r.start(), n, StandardCharsets.US_ASCII));
        }
        return out;
    }

    @Test
    void shouldSplitLinesTheSameWayAtEveryChunkSize() throws Exception {
        String longLine = "X".repeat(Pop3LineReader.MAX_LINE - 1);
        String maxLine = "Y".repeat(Pop3LineReader.MAX_LINE - 2);
        String input = "USER fred\r\nPASS a b\r\n\r\nNOOP\n" + longLine + "\r\n" + maxLine + "\r\n"
            + "Z".repeat(3000) + "\r\nQUIT\r\n";
        List<String> expected = List.of("USER fred", "PASS a b", "", "NOOP", "<too long>", maxLine, "<too long>", "QUIT");
        for (int chunk = 1; chunk <= 1100; chunk += chunk < 20 ? 1 : 97) {
            assertEquals(expected, lines(input, chunk), "chunk " + chunk);
        }
    }
}
