package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Durability;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What delivery pays to send one stored body: {@code openBody}, {@code transferTo} (here into a discarding
 * channel, so the copy is the JDK's buffer loop rather than sendfile) and {@code close}, from 4 threads at once, over
 * {@code messages} stored 5 KB bodies. This is the path a relay profile found at 79% of CPU samples when each open
 * built a Chronicle tailer and a file channel.
 *
 * <p>Measured 2026-11-23, 2-core shared machine (load 6-9 from other builds, so error bars are wide),
 * {@code -f 1 -wi 1 -i 3 -w 2s -r 3s}, ops/s over all threads: tailer + channel per open 11k; offsets recorded
 * in the index and one shared channel per file 140k.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgsAppend = {
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow",
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true",
    "-Ddisable.perf.info=true"})
@Threads(4)
public class SpoolReadBenchmark {

    @Param({"5120"})
    int bodyBytes;

    @Param({"10000"})
    int messages;

    private Path dir;
    private Spool spool;
    private long[] ids;
    private final WritableByteChannel sink = Channels.newChannel(OutputStream.nullOutputStream());

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("spool-read-bench");
        spool = ChronicleSpool.open(new SpoolOptions(dir.resolve("spool"), Durability.OS, 64L << 20, 0,
            Duration.ofHours(1)));
        ByteBuffer body = ByteBuffer.allocateDirect(bodyBytes);
        for (int i = 0; i < bodyBytes; i++) {
            body.put(i, (byte) ('a' + i % 26));
        }
        Envelope envelope = new Envelope("sender@example.org", List.of(Recipient.of("rcpt@example.net")),
            new ClientInfo("127.0.0.1", "bench", "ESMTP", null), System.currentTimeMillis(), "8BITMIME", false,
            null, null);
        ids = new long[messages];
        for (int i = 0; i < messages; i++) {
            SpoolWriter w = spool.begin(envelope, BodyForm.DOT_STUFFED);
            w.append(body.duplicate());
            if (!w.commit().join().isOk()) {
                throw new IllegalStateException("commit failed");
            }
            ids[i] = w.id().value();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        spool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public long openAndTransfer() throws IOException {
        long id = ids[ThreadLocalRandom.current().nextInt(ids.length)];
        try (MessageBody body = spool.openBody(new MessageId(id)).orElseThrow()) {
            return body.transferTo(sink);
        }
    }
}
