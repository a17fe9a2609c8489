package io.sluice.gateway.delivery;

import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class DsnBuilderTest {

    private static Envelope env(String ret, long arrival) {
        return new Envelope("s@origin.test", List.of(Recipient.of("a@remote.test")), ClientInfo.LOCAL, arrival,
            "7BIT", false, ret, null);
    }

    private static MimeMessage build(Envelope env, String original, DsnBuilder.Report... reports) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] o = original.getBytes(StandardCharsets.UTF_8);
        new DsnBuilder("gw.test").write(out, new MessageId(7), env, List.of(reports), new ByteArrayInputStream(o),
            o.length, 1_700_000_000_000L);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(out.toByteArray()));
    }

    private static DsnBuilder.Report failed(String reply) {
        return new DsnBuilder.Report(Recipient.of("a@remote.test"), DsnBuilder.Action.FAILED, reply, "mx.remote.test");
    }

    @Test
    void shouldReturnHeadersOnlyForLargeMessagesWithoutRet() throws Exception {
        String big = "Subject: big\r\nFrom: s@origin.test\r\n\r\n" + "body line\r\n".repeat(30_000);
        MimeMultipart mp = (MimeMultipart) build(env(null, 0), big, failed("550 5.1.1 unknown")).getContent();
        assertTrue(mp.getBodyPart(2).isMimeType("text/rfc822-headers"));
        String headers = new String(mp.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(headers.startsWith("Subject: big\r\nFrom: s@origin.test\r\n"), headers);
        assertFalse(headers.contains("body line"));
    }

    @Test
    void shouldReturnTheFullMessageWhenAskedOrSmall() throws Exception {
        String msg = "Subject: small\r\n\r\nhello\r\n";
        MimeMultipart mp = (MimeMultipart) build(env("FULL", 0), msg, failed("550 5.1.1 unknown")).getContent();
        assertTrue(mp.getBodyPart(2).isMimeType("message/rfc822"));
        MimeMessage inner = (MimeMessage) mp.getBodyPart(2).getContent();
        assertEquals("small", inner.getSubject());
    }

    @Test
    void shouldDeriveStatusFromTheReply() {
        assertEquals("5.1.1", DsnBuilder.statusOf(failed("550 5.1.1 <a@b>: unknown")));
        assertEquals("5.0.0", DsnBuilder.statusOf(failed("554 transaction failed")));
        assertEquals("4.0.0", DsnBuilder.statusOf(failed("421 closing")));
        assertEquals(RecipientState.EXPIRED.isTerminal(), true);
    }

    @Test
    void shouldWriteOneRecipientBlockPerReport() throws Exception {
        DsnBuilder.Report second = new DsnBuilder.Report(new Recipient("b@remote.test", "rfc822;list@origin.test",
            Recipient.NOTIFY_DEFAULT), DsnBuilder.Action.FAILED, "552 5.2.2 over quota", null);
        MimeMessage m = build(env(null, 0), "Subject: x\r\n\r\ny\r\n", failed("550 5.1.1 unknown"), second);
        assertEquals("Undelivered Mail Returned to Sender", m.getSubject());
        assertEquals("auto-replied", m.getHeader("Auto-Submitted", ","));
        MimeMultipart mp = (MimeMultipart) m.getContent();
        String fields = new String(mp.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, fields.split("Final-Recipient:", -1).length - 1, fields);
        assertTrue(fields.contains("Original-Recipient: rfc822;list@origin.test\r\nFinal-Recipient: rfc822; b@remote.test"
            + "\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 over quota"), fields);
        assertTrue(fields.contains("Remote-MTA: dns; mx.remote.test"), fields);
    }
}
