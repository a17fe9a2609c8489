package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sluice.spool.chronicle.SpoolFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bodies are read through one shared channel per queue file, at offsets the writer recorded: many readers at once,
 * while the writer keeps appending to the same file, must each get their own body byte for byte.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentBodyReadTest {

    private static final int WRITERS = 8;
    private static final int READERS = 8;
    private static final int MESSAGES_PER_WRITER = 150;

    @TempDir
    Path dir;

    /** Sizes cycle through empty, small, exactly one chunk, and chunked bodies. */
    private static int size(int n) {
        return switch (n % 5) {
            case 0 -> 0;
            case 1 -> 1 + n * 37 % 9000;
            case 2 -> ChronicleSpool.CHUNK_BYTES;
            case 3 -> ChronicleSpool.CHUNK_BYTES + 1 + n;
            default -> 3 * ChronicleSpool.CHUNK_BYTES + n;
        };
    }

    @Test
    void shouldReadManyBodiesConcurrentlyWhileWriting() throws Exception {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.OS))) {
            LinkedBlockingQueue<long[]> committed = new LinkedBlockingQueue<>(); // {id, size}
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger read = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < MESSAGES_PER_WRITER; i++) {
                        int n = writer * MESSAGES_PER_WRITER + i;
                        SpoolWriter sw = spool.begin(envelope(1), BodyForm.RAW);
                        sw.append(ByteBuffer.wrap(body(size(n), n)));
                        if (!sw.commit().join().isOk()) {
                            failures.add("commit " + n);
                        }
                        committed.add(new long[] {sw.id().value(), n});
                    }
                }));
            }
            int total = WRITERS * MESSAGES_PER_WRITER;
            for (int r = 0; r < READERS; r++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        while (read.get() < total) {
                            long[] m = committed.poll(100, TimeUnit.MILLISECONDS);
                            if (m == null) {
                                continue;
                            }
                            int n = (int) m[1];
                            byte[] expected = body(size(n), n);
                            try (MessageBody body = spool.openBody(new MessageId(m[0])).orElseThrow()) {
                                byte[] sent = transferAll(body);
                                byte[] streamed = readAll(body);
                                if (!Arrays.equals(expected, sent) || !Arrays.equals(expected, streamed)) {
                                    failures.add("body " + n + " differs");
                                }
                            }
                            spool.recordOutcome(new MessageId(m[0]), 0, RecipientState.DELIVERED, 0, "250 ok");
                            read.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                        read.set(Integer.MAX_VALUE);
                    }
                }));
            }
            for (Thread t : threads) {
                assertTrue(t.join(java.time.Duration.ofSeconds(100)), "thread finished");
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertEquals(total, read.get());
        }
    }
}
