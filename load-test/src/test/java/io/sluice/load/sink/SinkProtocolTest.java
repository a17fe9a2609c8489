package io.sluice.load.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sluice.load.cli.UsageException;
import io.sluice.load.report.LatencyLog;
import io.sluice.load.report.WallClock;

/** A scripted client against the sink: exact replies, pipelined groups, end-of-data and timestamp parsing. */
@Timeout(30)
class SinkProtocolTest {

    private static final class Client implements AutoCloseable {
        final Socket s;
        final BufferedReader in;
        final OutputStream out;

        Client(int port) throws IOException {
            s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out = s.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads one reply, continuation lines joined with '|'. */
        String reply() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return sb.append("<EOF>").toString();
                }
                sb.append(line);
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return sb.toString();
                }
                sb.append('|');
            }
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    private static SinkServer start(LatencyLog log) throws IOException {
        return SinkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log);
    }

    private static SinkServer start(LatencyLog log, double rejectFraction, int rejectCode, boolean chunking)
            throws IOException {
        return SinkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log, rejectFraction,
                rejectCode, 60_000, chunking, 0);
    }

    /** Greeted with EHLO, its reply read. */
    private static Client ehlo(SinkServer sink) throws IOException {
        Client c = new Client(sink.port());
        c.reply();
        c.send("EHLO test\r\n");
        c.reply();
        return c;
    }

    /** A message whose length is easy to check: headers, blank line, body. */
    private static String message(String stampHeader, long tsNs, String body) {
        return "Subject: c\r\n" + stampHeader + ": " + tsNs + "\r\n\r\n" + body;
    }

    @Test
    void shouldCloseAClientSilentForTheIdleTimeout() throws Exception {
        try (LatencyLog log = new LatencyLog(null);
             SinkServer sink = SinkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log, 0, 450, 300)) {
            long t0 = System.nanoTime(); // before connecting: the sink cannot arm its deadline earlier than this
            String next;
            try (Client c = new Client(sink.port())) {
                assertTrue(c.reply().startsWith("220 "));
                try {
                    next = c.reply();
                } catch (IOException reset) {
                    next = "<EOF>";
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("<EOF>", next);
            assertTrue(ms >= 300 && ms < 5_000, "closed after " + ms + " ms");
        }
    }

    @Test
    void shouldAdvertisePipeliningEightBitMimeAndSize() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = new Client(sink.port())) {
            assertTrue(c.reply().startsWith("220 "));
            c.send("EHLO test\r\n");
            String ehlo = c.reply();
            assertTrue(ehlo.contains("PIPELINING") && ehlo.contains("8BITMIME") && ehlo.contains("SIZE"), ehlo);
        }
    }

    @Test
    void shouldAnswerAPipelinedGroupInOrderAndCountTheMessage() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = new Client(sink.port())) {
            c.reply();
            long tsNs = WallClock.epochNs() - 5_000_000L; // injected "5 ms ago"
            c.send("EHLO test\r\nMAIL FROM:<a@b.test> SIZE=100\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\nDATA\r\n");
            assertTrue(c.reply().startsWith("250-"));
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertTrue(c.reply().startsWith("354 "));
            c.send("Subject: x\r\nx-sluice-load-ts: " + tsNs + "\r\n\r\nbody\r\n..stuffed\r\n.not end\r\n.\r\n");
            assertEquals("250 2.0.0 Ok: queued", c.reply());
            c.send("QUIT\r\n");
            assertEquals("221 2.0.0 Bye", c.reply());
            log.tick();
            assertEquals(1, sink.stats().messages());
            long e2e = sink.stats().endToEnd().total().getMaxValue();
            assertTrue(e2e >= 4_900_000L && e2e < 60_000_000_000L, "e2e " + e2e);
        }
    }

    @Test
    void shouldCountWarmupMessagesApartFromEveryFigure() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = new Client(sink.port())) {
            c.reply();
            long tsNs = WallClock.epochNs() - 5_000_000L;
            c.send("EHLO test\r\n");
            c.reply();
            for (int i = 0; i < 3; i++) {
                c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
                assertEquals("250 2.1.0 Ok", c.reply());
                assertEquals("250 2.1.5 Ok", c.reply());
                assertTrue(c.reply().startsWith("354 "));
                c.send("Subject: w\r\nX-Sluice-Load-Wu: " + (tsNs - 1_000_000_000L) + "\r\n\r\nbody\r\n.\r\n");
                assertEquals("250 2.0.0 Ok: queued", c.reply(), "a warm-up message is accepted like any other");
            }
            log.tick();
            assertEquals(0, sink.stats().messages());
            assertEquals(3, sink.stats().warmupMessages());
            assertEquals(0, sink.stats().bytes());
            assertEquals(0, sink.stats().endToEnd().total().getTotalCount());
            assertEquals(-1, sink.stats().measuredCpuSeconds(), "no CPU sample before the first measured message");

            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
            c.reply();
            c.reply();
            c.reply();
            c.send("Subject: m\r\nX-Sluice-Load-Ts: " + tsNs + "\r\n\r\nbody\r\n.\r\n");
            assertEquals("250 2.0.0 Ok: queued", c.reply());
            log.tick();
            assertEquals(1, sink.stats().messages());
            assertEquals(3, sink.stats().warmupMessages());
            assertEquals(1, sink.stats().endToEnd().total().getTotalCount());
            assertEquals(tsNs, sink.stats().firstInjectEpochNs(), "the window starts at the first measured message");
            assertTrue(sink.stats().measuredCpuSeconds() >= 0);
        }
    }

    @Test
    void shouldFindTheEndOfDataSplitAcrossWrites() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = new Client(sink.port())) {
            c.reply();
            c.send("HELO t\r\nMAIL FROM:<>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
            assertEquals("250 sink.sluice.test", c.reply());
            c.reply();
            c.reply();
            assertTrue(c.reply().startsWith("354"));
            String big = "y".repeat(70_000); // one line longer than the sink's buffer
            c.send("X-Sluice-Load-Ts: 1\r\n\r\n" + big + "\r\n.");
            Thread.sleep(50);
            c.send("\r");
            Thread.sleep(50);
            c.send("\nNOOP\r\n");
            assertEquals("250 2.0.0 Ok: queued", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals(1, sink.stats().messages());
        }
    }

    @Test
    void shouldRefuseOutOfSequenceCommands() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = new Client(sink.port())) {
            c.reply();
            c.send("RCPT TO:<c@d.test>\r\n");
            assertEquals("503 5.5.1 Error: need MAIL command", c.reply());
            c.send("DATA\r\n");
            assertEquals("503 5.5.1 Error: need MAIL command", c.reply());
            c.send("MAIL FROM:<a@b.test>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("554 5.5.1 Error: no valid recipients", c.reply());
            c.send("BOGUS\r\n");
            assertEquals("502 5.5.2 Error: command not recognized", c.reply());
            c.send("X".repeat(5000) + "\r\nNOOP\r\n");
            assertEquals("500 5.5.2 Error: line too long", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals(0, sink.stats().messages());
        }
    }

    @Test
    void shouldAdvertiseChunkingByDefault() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = new Client(sink.port())) {
            c.reply();
            c.send("EHLO test\r\n");
            assertEquals("250-sink.sluice.test|250-PIPELINING|250-8BITMIME|250-SIZE 1073741824|250-CHUNKING"
                    + "|250 ENHANCEDSTATUSCODES", c.reply());
        }
    }

    @Test
    void shouldTakeChunkingOnByDefaultAndOffWhenAsked() {
        assertTrue(SinkOptions.parse(new String[] {"--listen", "127.0.0.1:0"}, 0).chunking());
        assertFalse(SinkOptions.parse(new String[] {"--listen", "127.0.0.1:0", "--chunking", "off"}, 0).chunking());
    }

    @Test
    void shouldTakeTheReplyDelayAsADuration() {
        assertEquals(0, SinkOptions.parse(new String[] {"--listen", "127.0.0.1:0"}, 0).replyDelayNs());
        assertEquals(20_000_000L, SinkOptions.parse(new String[] {"--listen", "127.0.0.1:0", "--reply-delay", "20ms"},
                0).replyDelayNs());
        assertThrows(UsageException.class, () -> SinkOptions.parse(new String[] {"--listen", "127.0.0.1:0",
                "--reply-delay", "11s"}, 0));
    }

    @Test
    void shouldHoldEachBatchOfRepliesForTheReplyDelayOnce() throws Exception {
        try (LatencyLog log = new LatencyLog(null);
             SinkServer sink = SinkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log, 0,
                     450, 60_000, true, 300_000_000L);
             Client c = new Client(sink.port())) {
            long t0 = System.nanoTime();
            assertTrue(c.reply().startsWith("220 "));
            long greetingMs = (System.nanoTime() - t0) / 1_000_000;
            c.send("EHLO test\r\n");
            c.reply();
            long t1 = System.nanoTime();
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\nBDAT 6 LAST\r\nx\r\ny\r\n");
            for (int i = 0; i < 4; i++) {
                assertTrue(c.reply().startsWith("250"));
            }
            long groupMs = (System.nanoTime() - t1) / 1_000_000;
            assertTrue(greetingMs >= 290, "greeting after " + greetingMs + " ms");
            assertTrue(groupMs >= 290 && groupMs < 850, "a pipelined group waits once, not per reply: " + groupMs + " ms");
        }
    }

    @Test
    void shouldAnswerBdat502WhenChunkingIsOff() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log, 0, 450, false);
             Client c = new Client(sink.port())) {
            c.reply();
            c.send("EHLO test\r\n");
            assertEquals("250-sink.sluice.test|250-PIPELINING|250-8BITMIME|250-SIZE 1073741824"
                    + "|250 ENHANCEDSTATUSCODES", c.reply());
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 0 LAST\r\nNOOP\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("502 5.5.2 Error: command not recognized", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals(0, sink.stats().messages());
        }
    }

    @Test
    void shouldCountABdatLastMessageWithItsSizeAndLatency() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            long tsNs = WallClock.epochNs() - 5_000_000L;
            String msg = message("X-Sluice-Load-Ts", tsNs, "body\r\n.\r\n..not an end\r\n");
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nbdat " + msg.length() + " last\r\n" + msg);
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("250 2.0.0 Ok: queued", c.reply());
            log.tick();
            assertEquals(1, sink.stats().messages());
            assertEquals(msg.length(), sink.stats().bytes(), "every octet counts: no dot handling in BDAT");
            assertEquals(tsNs, sink.stats().firstInjectEpochNs());
            long e2e = sink.stats().endToEnd().total().getMaxValue();
            assertTrue(e2e >= 4_900_000L && e2e < 60_000_000_000L, "e2e " + e2e);
        }
    }

    @Test
    void shouldJoinChunksSplitAnywhereIntoOneMessage() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            long tsNs = WallClock.epochNs() - 5_000_000L;
            String msg = message("x-sluice-load-TS", tsNs, "y".repeat(70_000) + "\r\n"); // bigger than the buffer
            int cut = msg.indexOf("load-TS") + 3; // the first chunk ends inside the stamp header's name
            String first = msg.substring(0, cut);
            String second = msg.substring(cut);
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT " + first.length() + "\r\n" + first);
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("250 2.0.0 Ok: chunk received", c.reply());
            c.send("BDAT " + second.length() + "\r\n" + second.substring(0, 10)); // the chunk spans several writes
            Thread.sleep(50);
            c.send(second.substring(10, 40_000));
            Thread.sleep(50);
            c.send(second.substring(40_000) + "BDAT 0 LAST\r\nNOOP\r\n");
            assertEquals("250 2.0.0 Ok: chunk received", c.reply());
            assertEquals("250 2.0.0 Ok: queued", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            log.tick();
            assertEquals(1, sink.stats().messages());
            assertEquals(msg.length(), sink.stats().bytes());
            assertEquals(tsNs, sink.stats().firstInjectEpochNs(), "the header split between chunks was found");
            assertEquals(1, sink.stats().endToEnd().total().getTotalCount());
        }
    }

    @Test
    void shouldAnswerPipelinedBdatTransactionsInOrderAndCountEach() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            long tsNs = WallClock.epochNs() - 5_000_000L;
            StringBuilder batch = new StringBuilder();
            long bytes = 0;
            for (int i = 0; i < 3; i++) {
                String msg = message("X-Sluice-Load-Ts", tsNs + i, "body " + i + "\r\n");
                bytes += msg.length();
                batch.append("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT ").append(msg.length())
                        .append(" LAST\r\n").append(msg);
            }
            c.send(batch.toString()); // one write
            for (int i = 0; i < 3; i++) {
                assertEquals("250 2.1.0 Ok", c.reply(), "transaction " + i);
                assertEquals("250 2.1.5 Ok", c.reply(), "transaction " + i);
                assertEquals("250 2.0.0 Ok: queued", c.reply(), "transaction " + i);
            }
            log.tick();
            assertEquals(3, sink.stats().messages());
            assertEquals(bytes, sink.stats().bytes());
            assertEquals(3, sink.stats().endToEnd().total().getTotalCount());
        }
    }

    @Test
    void shouldConsumeTheChunkAndReply503WhenBdatBeforeMail() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            c.send("BDAT 12 LAST\r\nNOOP\r\nQUIT\r\nNOOP\r\n"); // the chunk looks like commands: none may run
            assertEquals("503 5.5.1 Error: need MAIL command", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals(0, sink.stats().messages());
        }
    }

    @Test
    void shouldReply554AndEndTheTransactionWhenNoRecipientWasAccepted() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log, 1.0, 550, true);
             Client c = ehlo(sink)) {
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 6\r\nMAIL\r\nBDAT 6 LAST\r\nRSET\r\n"
                    + "MAIL FROM:<a@b.test>\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("550 5.1.1 Recipient rejected by the sink", c.reply());
            assertEquals("554 5.5.1 Error: no valid recipients", c.reply());
            assertEquals("554 5.5.1 Error: no valid recipients", c.reply());
            assertEquals("250 2.1.0 Ok", c.reply(), "LAST ended the transaction, so MAIL is not nested");
            assertEquals(0, sink.stats().messages());
            assertEquals(1, sink.stats().rcptRejected.sum());
        }
    }

    @Test
    void shouldReply501ToMalformedBdatAndConsumeNothing() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n");
            c.reply();
            c.reply();
            String[] bad = {"BDAT", "BDAT ", "BDAT x", "BDAT -1", "BDAT 5 LASTX", "BDAT 5LAST", "BDAT 5 LAST x",
                "BDAT 5 FIRST", "BDAT 10000000000000000000", "BDAT 9223372036854775808", "BDATS 5"};
            for (String line : bad) {
                c.send(line + "\r\n");
                assertEquals("501 5.5.4 Syntax: BDAT size [LAST]", c.reply(), line);
            }
            c.send("BDAT  2  last  \r\nokNOOP\r\n");
            assertEquals("250 2.0.0 Ok: queued", c.reply(), "spaces around the size and LAST are allowed");
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals(1, sink.stats().messages());
            assertEquals(2, sink.stats().bytes());
        }
    }

    @Test
    void shouldReply503ToDataAfterBdat() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 3\r\nabcDATA\r\nRSET\r\n"
                    + "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("250 2.0.0 Ok: chunk received", c.reply());
            assertEquals("503 5.5.1 Error: DATA after BDAT", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertTrue(c.reply().startsWith("354 "), "RSET cleared the chunked message");
            c.send("x\r\n.\r\n");
            assertEquals("250 2.0.0 Ok: queued", c.reply());
            assertEquals(1, sink.stats().messages());
            assertEquals(3, sink.stats().bytes(), "the DATA message only, not the abandoned chunk");
        }
    }

    @Test
    void shouldCountBdatWarmupMessagesApart() throws Exception {
        try (LatencyLog log = new LatencyLog(null); SinkServer sink = start(log); Client c = ehlo(sink)) {
            long tsNs = WallClock.epochNs() - 5_000_000L;
            String warm = message("X-Sluice-Load-Wu", tsNs - 1_000_000_000L, "body\r\n");
            String late = "Subject: c\r\n\r\nX-Sluice-Load-Ts: " + tsNs + "\r\n"; // in the body: not a stamp
            String measured = message("X-Sluice-Load-Ts", tsNs, "body\r\n");
            String tx = "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT %d LAST\r\n%s";
            c.send(tx.formatted(warm.length(), warm) + tx.formatted(late.length(), late)
                    + tx.formatted(measured.length(), measured));
            for (int i = 0; i < 3; i++) {
                c.reply();
                c.reply();
                assertEquals("250 2.0.0 Ok: queued", c.reply());
            }
            log.tick();
            assertEquals(1, sink.stats().warmupMessages());
            assertEquals(2, sink.stats().messages());
            assertEquals(late.length() + measured.length(), sink.stats().bytes());
            assertEquals(1, sink.stats().withoutTimestamp.sum());
            assertEquals(1, sink.stats().endToEnd().total().getTotalCount());
        }
    }
}
