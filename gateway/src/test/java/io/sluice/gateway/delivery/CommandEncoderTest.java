package io.sluice.gateway.delivery;

import io.sluice.spool.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class CommandEncoderTest {

    private static final PeerCapabilities ALL =
        new PeerCapabilities(true, true, 10_000_000, true, true, true, true, true, true);

    private static String encode(java.util.function.Consumer<ByteBuffer> c) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        c.accept(b);
        b.flip();
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    @Test
    void shouldEncodeMailWithOnlyTheParametersThePeerOffers() {
        assertEquals("MAIL FROM:<a@b.test> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1\r\n",
            encode(b -> CommandEncoder.mailFrom(b, "a@b.test", 12345, "8BITMIME", true, "HDRS", "id+1", ALL)));
        assertEquals("MAIL FROM:<>\r\n",
            encode(b -> CommandEncoder.mailFrom(b, "", 0, "8BITMIME", false, "FULL", "x", PeerCapabilities.HELO_ONLY)));
    }

    @Test
    void shouldEncodeRcptWithNotifyAndXtextOrcpt() {
        Recipient r = new Recipient("u@d.test", "rfc822;Old User=x@d.test", Recipient.NOTIFY_SUCCESS | Recipient.NOTIFY_DELAY);
        assertEquals("RCPT TO:<u@d.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Old+20User+3Dx@d.test\r\n",
            encode(b -> CommandEncoder.rcptTo(b, r, ALL)));
        assertEquals("RCPT TO:<u@d.test> NOTIFY=NEVER\r\n",
            encode(b -> CommandEncoder.rcptTo(b, new Recipient("u@d.test", null, Recipient.NOTIFY_NEVER), ALL)));
        assertEquals("RCPT TO:<u@d.test>\r\n", encode(b -> CommandEncoder.rcptTo(b, Recipient.of("u@d.test"), ALL)));
    }

    @Test
    void shouldEncodeUtf8AddressesAsUtf8() {
        assertEquals("RCPT TO:<jürgen@bücher.test>\r\n",
            encode(b -> CommandEncoder.rcptTo(b, Recipient.of("jürgen@bücher.test"), PeerCapabilities.HELO_ONLY)));
    }

    @Test
    void shouldEncodeDataAndBdat() {
        assertEquals("DATA\r\nBDAT 0 LAST\r\nBDAT 987654321 LAST\r\n", encode(b -> {
            CommandEncoder.data(b);
            CommandEncoder.bdatLast(b, 0);
            CommandEncoder.bdatLast(b, 987654321);
        }));
    }
}
