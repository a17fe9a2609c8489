package io.sluice.gateway.smtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class ReceivedHeaderTest {

    @Test
    void shouldFormatEachSecondOfTheCachedDate() {
        long t = 1_795_461_397_000L; // Mon, 23 Nov 2026 19:16:37 +0000
        assertEquals("Mon, 23 Nov 2026 19:16:37 +0000", ReceivedHeader.date(t));
        assertEquals("Mon, 23 Nov 2026 19:16:37 +0000", ReceivedHeader.date(t + 999));
        assertEquals("Mon, 23 Nov 2026 19:16:38 +0000", ReceivedHeader.date(t + 1_000));
        assertEquals("Mon, 23 Nov 2026 19:16:36 +0000", ReceivedHeader.date(t - 1));
    }

    @Test
    void shouldNameTheSingleRecipientOnly() {
        String h = new String(ReceivedHeader.build("client.example", "192.0.2.1", "mx.example", "ESMTP", "42",
            "a@example.org", 1_795_461_397_000L), StandardCharsets.UTF_8);
        assertEquals("Received: from client.example ([192.0.2.1])\r\n\tby mx.example (Sluice) with ESMTP id 42"
            + "\r\n\tfor <a@example.org>; Mon, 23 Nov 2026 19:16:37 +0000\r\n", h);
    }
}
