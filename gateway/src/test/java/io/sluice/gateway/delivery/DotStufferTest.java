package io.sluice.gateway.delivery;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DotStufferTest {

    @Test
    void shouldDropTheStuffedDotOfEachLineInPlace() {
        assertUnstuffed("no dots\r\nat all\r\n", "no dots\r\nat all\r\n");
        assertUnstuffed(".first\r\n", "..first\r\n");
        assertUnstuffed("a\r\n.\r\n..two\r\nmid.dle\r\n.", "a\r\n..\r\n...two\r\nmid.dle\r\n..");
        assertUnstuffed("x\r\n.y\r\n", "x\r\n..y\r\n");
        assertUnstuffed("", "");
    }

    @Test
    void shouldUndoWhatStuffingDid() throws Exception {
        String message = ".a\r\nb\r\n..c\r\n.\r\nd.\r\n";
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream();
        new DotStuffer().copy(new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)), stuffed::write);
        assertUnstuffed(message, stuffed.toString(StandardCharsets.US_ASCII));
    }

    private static void assertUnstuffed(String expected, String stuffed) {
        byte[] b = ("##" + stuffed + "##").getBytes(StandardCharsets.US_ASCII);
        int n = DotStuffer.unstuffInPlace(b, 2, b.length - 4);
        assertEquals(expected, new String(b, 2, n, StandardCharsets.US_ASCII));
    }
}
