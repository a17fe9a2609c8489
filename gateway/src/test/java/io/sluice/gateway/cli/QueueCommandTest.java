package io.sluice.gateway.cli;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Durability;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolWriter;
import io.sluice.spool.chronicle.ChronicleSpool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@code sluice queue} against a real spool that a "gateway" (this test) holds open for writing meanwhile. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "queue";
        System.arraycopy(args, 0, full, 1, args.length);
        full[args.length + 1] = "--set";
        full[args.length + 2] = "spool.dir=" + dir.resolve("spool");
        return Main.run(full, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Runs the command until its output contains {@code expected} (5 s at most) and returns the exit code of the
     * last run. Outcome events reach the disk with the writer's next batch or idle tick (10 ms at most), not
     * before recordOutcome returns, and the command reads the disk, as it would beside a running gateway.
     */
    private int runUntilShown(String expected, String... args) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            out.reset();
            err.reset();
            int rc = run(args);
            if (out().contains(expected) || System.nanoTime() > deadline) {
                return rc;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static MessageId store(Spool spool, String sender, String... rcpts) {
        List<Recipient> list = java.util.Arrays.stream(rcpts).map(Recipient::of).toList();
        SpoolWriter w = spool.begin(new Envelope(sender, list, new ClientInfo("192.0.2.7", "mx.example", "ESMTPS", null),
            1_700_000_000_000L, "8BITMIME", false, null, null), BodyForm.DOT_STUFFED);
        w.append(ByteBuffer.wrap("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(AppendResult.OK, w.commit().join());
        return w.id();
    }

    private Spool openSpool() {
        return ChronicleSpool.open(new SpoolOptions(dir.resolve("spool"), Durability.FSYNC, 1 << 20, 0, Duration.ofHours(1)));
    }

    @Test
    void shouldListMessagesWithPerDomainStatesWhileGatewayRuns() {
        try (Spool spool = openSpool()) {
            MessageId a = store(spool, "alice@example.org", "x@one.example", "y@one.example", "z@two.example");
            MessageId b = store(spool, "", "w@two.example");
            spool.recordOutcome(a, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.recordOutcome(a, 2, RecipientState.DEFERRED, 1_700_000_600_000L, "451 4.7.1 greylisted");

            assertEquals(0, runUntilShown("two.example:1 DEFERRED", "list"), err.toString());
            String[] lines = out().split("\n");
            assertEquals(2, lines.length, out());
            assertTrue(lines[0].startsWith(a + "  2023-11-14T22:13:20Z  21  <alice@example.org>  3"), lines[0]);
            assertTrue(lines[0].contains("one.example:1 QUEUED,1 DELIVERED"), lines[0]);
            assertTrue(lines[0].contains("two.example:1 DEFERRED"), lines[0]);
            assertTrue(lines[1].startsWith(b + "  ") && lines[1].contains("<>"), lines[1]);

            out.reset();
            assertEquals(0, run("list", "--state", "deferred"));
            assertEquals(1, out().split("\n").length, out());
            assertTrue(out().startsWith(a.toString()), out());

            out.reset();
            assertEquals(0, run("list", "--domain", "TWO.example", "--state", "queued"));
            assertTrue(out().startsWith(b.toString()) && out().split("\n").length == 1, out());
        }
    }

    @Test
    void shouldShowEnvelopeAndRecipientStates() {
        try (Spool spool = openSpool()) {
            MessageId a = store(spool, "alice@example.org", "x@one.example", "z@two.example");
            spool.recordOutcome(a, 1, RecipientState.DEFERRED, 1_700_000_600_000L, "451 4.7.1 greylisted");
            assertEquals(0, runUntilShown("DEFERRED", "show", a.toString()), err.toString());
            String s = out();
            assertTrue(s.contains("id:        " + a), s);
            assertTrue(s.contains("sender:    <alice@example.org>"), s);
            assertTrue(s.contains("client:    192.0.2.7 helo=mx.example with ESMTPS"), s);
            assertTrue(s.contains("  0  <x@one.example>  QUEUED  attempts=0"), s);
            assertTrue(s.contains("  1  <z@two.example>  DEFERRED  attempts=1  next=2023-11-14T22:23:20Z"
                + "  last=\"451 4.7.1 greylisted\""), s);
        }
    }

    @Test
    void shouldRefuseBadIdsAndOptionsWithOneLineAndExit2() {
        try (Spool spool = openSpool()) {
            store(spool, "a@example.org", "b@example.org");
        }
        assertEquals(2, run("show", "not-hex!"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("not a message id"), err.toString());
        err.reset();
        assertEquals(2, run("show", "00000000000000ff"));
        assertTrue(err.toString().contains("no message 00000000000000ff"), err.toString());
        err.reset();
        assertEquals(2, run("list", "--state", "lost"));
        assertEquals(2, run("frobnicate"));
        assertEquals(0, Main.run(new String[] {"queue", "--help"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(out().contains("usage: sluice queue list"), out());
    }

    @Test
    void shouldFailWithOneLineWhenNoSpool() {
        assertEquals(1, run("list"));
        assertTrue(err.toString().startsWith("sluice queue: no spool at"), err.toString());
    }
}
