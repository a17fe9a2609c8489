package io.sluice.spool.chronicle;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Durability;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolWriter;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Commit latency inside the spool, open model: messages start at a fixed rate (each on its own virtual thread,
 * at most {@code writers} at once, as SMTP sessions would) and latency is measured from the <em>intended</em>
 * start to the commit's completion, so a stall of the writer thread shows up in full (HdrHistogram's corrected
 * recording, done by hand). Each message is then marked DELIVERED, as delivery would, so outcome events are
 * written too. JMH's {@link SpoolAppendBenchmark} gives throughput; this gives the percentiles a 250 waits for.
 *
 * <pre>
 * java $CHRONICLE_FLAGS -cp "bench/target/classes:bench/target/lib/*" io.sluice.spool.chronicle.SpoolCommitLatency \
 *     FSYNC 16 2000 20 [bodyBytes=4096] [rollSeconds=3600]
 * </pre>
 * <p>Measured 2026-11-23 on the shared 2-core machine (load 6-9 from other helpers; the same run repeated varies
 * by 3-5x at p99, so only large differences mean anything), 4 KB bodies, 15 s, p50 / p99 / max in ms, before ->
 * after the spool changes of that day (offsets in the index instead of a tailer per read, no event force for OS):
 * <pre>
 *                     with 'read' (as in the relay)               commits only
 * FSYNC  16 @  500/s  1.2/90/131 -> 0.7/38/100
 * FSYNC  16 @ 4000/s  1.7/35/46 -> 1.4/29/47                      3.2/100/122 -> 1.4/77/100
 * FSYNC 256 @15000/s  22/1083/1108 -> 6.4/137/206                 1.7/47/97 -> 5.7/86/127
 * OS     16 @12000/s  5448/6732/6782 (saturated) -> 3.1/380/422   0.5/87/124 -> 0.2/39/68
 * OS    256 @15000/s  3244/6052/6099 (saturated) -> 0.2/45/81     0.3/76/105 -> 14/765/830, rerun 12/225/296
 *                                                                 (old rerun 0.3/869/959: noise)
 * </pre>
 * The disk's own fdatasync on this machine: p50 0.2-0.5 ms, p99 3-16 ms, max 36-190 ms while others build;
 * young GC pauses 13-240 ms under the same load. Neither is the spool's to fix.
 *
 * <p>Arguments: durability, writers (concurrency cap), rate in messages/s, seconds measured (after 3 s warm-up),
 * body bytes, roll interval in seconds, and flags: {@code heap} prints the heap retained after the run (after
 * the reclamation grace period and a GC), {@code read} opens and sends each body after its commit, as delivery
 * would (e.g. {@code heap,read}).
 */
public final class SpoolCommitLatency {

    private SpoolCommitLatency() {
    }

    public static void main(String[] args) throws Exception {
        Durability durability = Durability.valueOf(args[0]);
        int writers = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int bodyBytes = args.length > 4 ? Integer.parseInt(args[4]) : 4096;
        int rollSeconds = args.length > 5 ? Integer.parseInt(args[5]) : 3600;
        boolean isHeapReported = args.length > 6 && args[6].contains("heap");
        boolean isBodyRead = args.length > 6 && args[6].contains("read");
        // /dev/null as a file channel: transferTo uses sendfile, as it does to a delivery socket.
        WritableByteChannel sink = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        Path dir = Files.createTempDirectory("spool-latency");
        Spool spool = ChronicleSpool.open(new SpoolOptions(dir.resolve("spool"), durability, 64L << 20, 1L << 30,
            Duration.ofSeconds(rollSeconds)));
        ByteBuffer body = ByteBuffer.allocateDirect(bodyBytes);
        for (int i = 0; i < bodyBytes; i++) {
            body.put(i, (byte) ('a' + i % 26));
        }
        Envelope envelope = new Envelope("sender@example.org", List.of(Recipient.of("rcpt@example.net")),
            new ClientInfo("127.0.0.1", "bench", "ESMTP", null), System.currentTimeMillis(), "8BITMIME", false,
            null, null);
        Recorder recorder = new Recorder(3);
        Semaphore permits = new Semaphore(writers);
        long intervalNs = 1_000_000_000L / rate;
        long startNs = System.nanoTime();
        long warmEndNs = startNs + TimeUnit.SECONDS.toNanos(3);
        long endNs = warmEndNs + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        long failures = 0;
        Histogram total = null;
        for (long next = startNs; next < endNs; next += intervalNs) {
            long now;
            while ((now = System.nanoTime()) < next) {
                LockSupport.parkNanos(next - now);
            }
            if (total == null && next >= warmEndNs) {
                recorder.getIntervalHistogram(); // discard the warm-up
                total = new Histogram(3);
            }
            permits.acquireUninterruptibly();
            long intendedNs = next;
            boolean measured = total != null;
            Thread.ofVirtual().start(() -> {
                try {
                    SpoolWriter w = spool.begin(envelope, BodyForm.DOT_STUFFED);
                    w.append(body.duplicate());
                    AppendResult r = w.commit().join();
                    if (measured) {
                        recorder.recordValue(System.nanoTime() - intendedNs);
                    }
                    if (r == AppendResult.OK && isBodyRead) {
                        try (MessageBody b = spool.openBody(w.id()).orElseThrow()) {
                            b.transferTo(sink); // as delivery does, concurrently with the next commits
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    if (r == AppendResult.OK) {
                        spool.recordOutcome(w.id(), 0, RecipientState.DELIVERED, 0, "250 2.0.0 ok");
                    }
                } finally {
                    permits.release();
                }
            });
            sent++;
        }
        permits.acquireUninterruptibly(writers);
        total.add(recorder.getIntervalHistogram());
        double secs = (System.nanoTime() - warmEndNs) / 1e9;
        System.out.printf("%s writers=%d rate=%d/s body=%d: %d msgs (%.0f/s measured), syncs=%d%n", durability,
            writers, rate, bodyBytes, total.getTotalCount(), total.getTotalCount() / secs, spool.stats().syncs());
        System.out.printf("commit latency ms: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f%n",
            total.getValueAtPercentile(50) / 1e6, total.getValueAtPercentile(90) / 1e6,
            total.getValueAtPercentile(99) / 1e6, total.getValueAtPercentile(99.9) / 1e6, total.getMaxValue() / 1e6);
        if (isHeapReported) {
            // What the index retains: wait out the reclamation grace (10 s) and a reclamation pass, then GC.
            Thread.sleep(12_000);
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
            }
            Runtime rt = Runtime.getRuntime();
            System.out.printf("heap after GC: %.1f MB, messages live %d%n",
                (rt.totalMemory() - rt.freeMemory()) / 1048576.0, spool.stats().messagesLive());
        }
        spool.close();
        deleteTree(dir);
        System.exit(failures == 0 && sent > 0 ? 0 : 1);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
