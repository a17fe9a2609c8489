package io.sluice.gateway.delivery;

import io.sluice.spool.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class CommandEncoderTest {

    private static final PeerCapabilities ALL =
        new PeerCapabilities(true, true, 10_000_000, true, true, true, true, true, true);

    /** Runs the encoder at a non-zero offset, to catch position arithmetic that assumes 0. */
    private static String encode(BiFunction<byte[], Integer, Integer> c) {
        byte[] b = new byte[CommandEncoder.MAX_COMMAND_BYTES * 2];
        int end = c.apply(b, 7);
        return new String(b, 7, end - 7, StandardCharsets.UTF_8);
    }

    @Test
    void shouldEncodeMailWithOnlyTheParametersThePeerOffers() {
        assertEquals("MAIL FROM:<a@b.test> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1\r\n",
            encode((b, p) -> CommandEncoder.mailFrom(b, p, "a@b.test", 12345, "8BITMIME", true, "HDRS", "id+1", ALL)));
        assertEquals("MAIL FROM:<>\r\n",
            encode((b, p) -> CommandEncoder.mailFrom(b, p, "", 0, "8BITMIME", false, "FULL", "x", PeerCapabilities.HELO_ONLY)));
    }

    @Test
    void shouldEncodeRcptWithNotifyAndXtextOrcpt() {
        Recipient r = new Recipient("u@d.test", "rfc822;Old User=x@d.test", Recipient.NOTIFY_SUCCESS | Recipient.NOTIFY_DELAY);
        assertEquals("RCPT TO:<u@d.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Old+20User+3Dx@d.test\r\n",
            encode((b, p) -> CommandEncoder.rcptTo(b, p, r, ALL)));
        assertEquals("RCPT TO:<u@d.test> NOTIFY=NEVER\r\n",
            encode((b, p) -> CommandEncoder.rcptTo(b, p, new Recipient("u@d.test", null, Recipient.NOTIFY_NEVER), ALL)));
        assertEquals("RCPT TO:<u@d.test>\r\n", encode((b, p) -> CommandEncoder.rcptTo(b, p, Recipient.of("u@d.test"), ALL)));
    }

    @Test
    void shouldEncodeUtf8AddressesAsUtf8() {
        assertEquals("RCPT TO:<jürgen@bücher.test>\r\n",
            encode((b, p) -> CommandEncoder.rcptTo(b, p, Recipient.of("jürgen@bücher.test"), PeerCapabilities.HELO_ONLY)));
    }

    @Test
    void shouldEncodeDataAndBdat() {
        assertEquals("DATA\r\nBDAT 0 LAST\r\nBDAT 987654321 LAST\r\n", encode((b, p) ->
            CommandEncoder.bdatLast(b, CommandEncoder.bdatLast(b, CommandEncoder.data(b, p), 0), 987654321)));
    }

    @Test
    void shouldXtextEncodeEveryUtf8ByteOfNonAsciiOrcpt() {
        Recipient r = new Recipient("u@d.test", "utf-8;j\u00fcrgen\uD83D\uDE00@d.test", Recipient.NOTIFY_DEFAULT);
        assertEquals("RCPT TO:<u@d.test> ORCPT=utf-8;j+C3+BCrgen+F0+9F+98+80@d.test\r\n",
            encode((b, p) -> CommandEncoder.rcptTo(b, p, r, ALL)));
    }
}
