package io.sluice.spool.recovery;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Durability;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolWriter;
import io.sluice.spool.chronicle.ChronicleSpool;
import io.sluice.spool.chronicle.RecordDump;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * RFC 5321 6.1: once 250 is sent the message must not be lost. A forked JVM ({@link AppendingChild}) appends from
 * several virtual threads (small and multi-chunk bodies, some aborted) and reports each message only after its
 * commit returned OK; this test kills it with SIGKILL at different moments, reopens the spool and checks that
 * every acknowledged message is there byte-exact, that nothing aborted or partial is visible, and that the spool
 * takes new mail afterwards. Rounds accumulate in one directory, so earlier survivors must survive later
 * recoveries too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KillDuringAppendTest {

    @TempDir
    Path dir;

    private final Map<Long, long[]> begun = new HashMap<>(); // id -> {crc, length}
    private final Set<Long> acknowledged = new HashSet<>();
    private final Set<Long> aborted = new HashSet<>();
    /** Diagnostics only: what the child said right after begin(), and report lines that did not parse. */
    private final Map<Long, String> started = new HashMap<>();
    private final List<String> unparsed = new ArrayList<>();
    private int linesRead;

    @Test
    void shouldKeepEveryAcknowledgedMessageAcrossKills() throws Exception {
        int[] killAfter = {15, 60, 120};
        for (int round = 0; round < killAfter.length; round++) {
            runChildAndKill(round, killAfter[round]);
            verifyAndAppend(round);
        }
    }

    private void runChildAndKill(int round, int killAfterAcks) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), AppendingChild.class.getName(),
            dir.resolve("spool").toString(), Integer.toString(round)));
        Process child = new ProcessBuilder(cmd)
            .redirectError(dir.resolve("child-" + round + ".err").toFile())
            .start();
        AtomicInteger acks = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> readReports(child, acks, killAfterAcks, enough));
        boolean reached = enough.await(60, TimeUnit.SECONDS);
        // SIGKILL through the process handle: Process.destroyForcibly() also closes our end of the child's stdout,
        // which throws away report lines still in the pipe (a message committed just before the kill then looked
        // as if it had never begun). The reader reads on to the end of the stream instead.
        child.toHandle().destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(reached, "child acknowledged only " + acks.get() + " messages; see child-" + round + ".err");
    }

    private void readReports(Process child, AtomicInteger acks, int killAfterAcks, CountDownLatch enough) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split(" ");
                synchronized (this) {
                    linesRead++;
                    try {
                        onReport(f, acks, killAfterAcks, enough);
                    } catch (RuntimeException e) {
                        unparsed.add(line); // e.g. the last line, cut by the kill; keep reading
                    }
                }
            }
        } catch (IOException e) {
            // the pipe breaks when the child is killed: that is the point
        }
    }

    private void onReport(String[] f, AtomicInteger acks, int killAfterAcks, CountDownLatch enough) {
        switch (f[0]) {
            case "START" -> started.put(MessageId.parse(f[1]).value(), f[2] + ", " + f[3] + " bytes");
            case "BEGIN" -> begun.put(MessageId.parse(f[1]).value(),
                new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            case "OK" -> {
                acknowledged.add(MessageId.parse(f[1]).value());
                if (acks.incrementAndGet() >= killAfterAcks) {
                    enough.countDown();
                }
            }
            case "ABORT" -> aborted.add(MessageId.parse(f[1]).value());
            default -> { } // log lines of the child
        }
    }

    private synchronized void verifyAndAppend(int round) throws Exception {
        SpoolOptions options = new SpoolOptions(dir.resolve("spool"), Durability.FSYNC, 64L << 20, 0, Duration.ofHours(1));
        try (Spool spool = ChronicleSpool.open(options)) {
            Set<Long> present = new HashSet<>();
            for (SpoolEntry e : spool.entries()) {
                long id = e.id().value();
                present.add(id);
                assertFalse(aborted.contains(id), "round " + round + ": aborted message " + e.id() + " is visible");
                long[] expected = begun.get(id);
                assertNotNull(expected, "round " + round + ": message " + e.id() + " was never committed (after"
                    + " begin the child said: " + started.getOrDefault(id, "nothing") + "; recovered with "
                    + e.bodyBytes() + " bytes; " + linesRead + " report lines read, unparsed: " + unparsed + ")"
                    + (expected == null ? "; its records:" + RecordDump.describe(dir.resolve("spool"), id) : ""));
                assertEquals(expected[1], e.bodyBytes(), "round " + round + ": length of " + e.id());
                try (MessageBody body = spool.openBody(e.id()).orElseThrow()) {
                    assertEquals(expected[0], crcOf(body), "round " + round + ": content of " + e.id());
                }
            }
            for (long id : acknowledged) {
                assertTrue(present.contains(id), "round " + round + ": acknowledged message "
                    + new MessageId(id) + " lost (" + acknowledged.size() + " acknowledged, " + present.size() + " present)");
            }
            SpoolWriter w = spool.begin(new Envelope("", List.of(Recipient.of("x@example.org")), ClientInfo.LOCAL,
                System.currentTimeMillis(), "7BIT", false, null, null), BodyForm.RAW);
            byte[] body = ("after crash " + round + "\r\n").getBytes(StandardCharsets.US_ASCII);
            w.append(ByteBuffer.wrap(body));
            assertEquals(AppendResult.OK, w.commit().get(30, TimeUnit.SECONDS), "spool takes mail after recovery");
            CRC32 crc = new CRC32();
            crc.update(body);
            begun.put(w.id().value(), new long[] {crc.getValue(), body.length});
            acknowledged.add(w.id().value());
        }
    }

    private static long crcOf(MessageBody body) throws IOException {
        CRC32 crc = new CRC32();
        body.transferTo(new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = src.remaining();
                crc.update(src);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        });
        return crc.getValue();
    }
}
