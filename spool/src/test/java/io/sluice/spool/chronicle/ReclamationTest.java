package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolWriter;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.sluice.spool.chronicle.SpoolFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Files roll (one-minute cycles here, driven by a settable Chronicle clock) and a file is deleted once every
 * message it holds is finished, oldest first; a file with a live message is kept, and so are the newer files.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReclamationTest {

    private static final long MINUTE_MS = 60_000;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() / MINUTE_MS * MINUTE_MS);

    private ChronicleSpool open() {
        return open(0);
    }

    private ChronicleSpool open(long reclaimGraceNs) {
        return ChronicleSpool.open(new SpoolOptions(dir, Durability.FSYNC, 50L << 20, 0, Duration.ofMinutes(1)),
            clock, null, reclaimGraceNs);
    }

    private static MessageId store(Spool spool, int bytes) {
        SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
        w.append(ByteBuffer.wrap(body(bytes, bytes)));
        assertTrue(w.commit().join().isOk());
        return w.id();
    }

    private List<Path> queueFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    @Test
    void shouldDeleteFinishedFilesOldestFirstAndKeepLiveOnes() throws Exception {
        MessageId a;
        MessageId b;
        try (ChronicleSpool spool = open()) {
            a = store(spool, 100);
            b = store(spool, 3 * ChronicleSpool.CHUNK_BYTES);          // file 0: a, b
            clock.advanceMillis(MINUTE_MS);
            MessageId c = store(spool, 100);
            MessageId d = store(spool, 200);                           // file 1: c, d (active)
            assertEquals(2, queueFiles().size());

            spool.recordOutcome(c, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.recordOutcome(d, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(2, queueFiles().size(), "file 0 holds live messages and file 1 is active: both stay");

            spool.recordOutcome(a, 0, RecipientState.BOUNCED, 0, "550 no");
            spool.recordOutcome(b, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(1, queueFiles().size(), "file 0 finished; the active file stays: " + queueFiles());
            assertEquals(1, spool.stats().filesLive());
            assertTrue(spool.entry(a).isEmpty(), "reclaimed messages leave the index");
            assertTrue(spool.entry(c).isEmpty(),
                "finished messages leave the index after the grace period (0 here), though their file stays");

            clock.advanceMillis(MINUTE_MS);
            MessageId f = store(spool, 400);                           // file 2: f; file 1 is finished
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(1, queueFiles().size(), queueFiles().toString());
            try (MessageBody body = spool.openBody(f).orElseThrow()) {
                assertArrayEquals(body(400, 400), readAll(body));
            }
        }
        try (ChronicleSpool spool = open()) {
            assertEquals(1, spool.entries().size(), "after reopen only the live message remains");
            assertEquals(RecipientState.QUEUED, spool.entries().get(0).recipients().get(0).state());
        }
    }

    @Test
    void shouldRelocateLongDeferredMessageSoOldFilesGo() throws Exception {
        int size = 2 * ChronicleSpool.CHUNK_BYTES + 7;
        MessageId deferred;
        MessageId small;
        try (ChronicleSpool spool = open()) {
            deferred = store(spool, size);                              // file 0: deferred (chunked), small, done
            small = store(spool, 300);
            MessageId done = store(spool, 10);
            spool.recordOutcome(deferred, 0, RecipientState.DEFERRED, 42_000L, "451 4.2.0 mailbox busy");
            spool.recordOutcome(small, 0, RecipientState.IN_FLIGHT, 0, "");
            spool.recordOutcome(done, 0, RecipientState.DELIVERED, 0, "250 ok");
            clock.advanceMillis(MINUTE_MS);
            MessageId x = store(spool, 10);                             // file 1: x
            spool.recordOutcome(x, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(2, queueFiles().size(), "file 0 is too young to compact");

            clock.advanceMillis(MINUTE_MS);
            store(spool, 10);                                           // file 2: active
            try (MessageBody openedBefore = spool.openBody(deferred).orElseThrow()) {
                spool.reclaimNow().get(10, TimeUnit.SECONDS);
                assertEquals(1, queueFiles().size(), "live messages moved out, old files deleted: " + queueFiles());
                assertArrayEquals(body(size, size), readAll(openedBefore), "a body opened before the move still reads");
            }
            var r = spool.entry(deferred).orElseThrow().recipients().get(0);
            assertEquals(RecipientState.DEFERRED, r.state());
            assertEquals(1, r.attempts());
            assertEquals(42_000L, r.nextAttemptEpochMs());
            assertEquals("451 4.2.0 mailbox busy", r.lastReply());
            spool.recordOutcome(deferred, 0, RecipientState.DEFERRED, 43_000L, "451 4.2.0 still busy");
        }
        try (ChronicleSpool spool = open()) {
            var r = spool.entry(deferred).orElseThrow().recipients().get(0);
            assertEquals(RecipientState.DEFERRED, r.state());
            assertEquals(2, r.attempts(), "events after the move apply to the copy");
            assertEquals("451 4.2.0 still busy", r.lastReply());
            assertEquals(RecipientState.QUEUED, spool.entry(small).orElseThrow().recipients().get(0).state());
            try (MessageBody body = spool.openBody(deferred).orElseThrow()) {
                assertArrayEquals(body(size, size), readAll(body));
                assertArrayEquals(body(size, size), transferAll(body));
            }
            try (MessageBody body = spool.openBody(small).orElseThrow()) {
                assertArrayEquals(body(300, 300), readAll(body));
            }
            assertEquals(3, spool.stats().messagesLive(), "deferred, small and the one in file 2");
        }
    }

    @Test
    void shouldKeepJustFinishedFileForGracePeriod() throws Exception {
        try (ChronicleSpool spool = open(TimeUnit.SECONDS.toNanos(1))) {
            MessageId a = store(spool, 100);                            // file 0
            clock.advanceMillis(MINUTE_MS);
            store(spool, 10);                                           // file 1: active
            spool.recordOutcome(a, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(2, queueFiles().size(), "delivery may still read a body it has just finished");
            assertTrue(spool.openBody(a).isPresent());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (queueFiles().size() == 2 && System.nanoTime() < deadline) {
                spool.reclaimNow().get(10, TimeUnit.SECONDS);
                Thread.sleep(50);
            }
            assertEquals(1, queueFiles().size(), "deleted once the grace period is over");
        }
    }

    @Test
    void shouldKeepFileOfLiveMessageAcrossReopen() throws Exception {
        MessageId live;
        try (ChronicleSpool spool = open()) {
            live = store(spool, 2 * ChronicleSpool.CHUNK_BYTES + 1);   // file 0
            MessageId done = store(spool, 10);
            clock.advanceMillis(MINUTE_MS);
            store(spool, 10);                                           // file 1
            spool.recordOutcome(done, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.recordOutcome(live, 0, RecipientState.DEFERRED, clock.currentTimeMillis() + 1000, "451 later");
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(2, queueFiles().size());
        }
        try (ChronicleSpool spool = open()) {
            assertEquals(RecipientState.DEFERRED, spool.entry(live).orElseThrow().recipients().get(0).state());
            try (MessageBody body = spool.openBody(live).orElseThrow()) {
                assertArrayEquals(body(2 * ChronicleSpool.CHUNK_BYTES + 1, 2 * ChronicleSpool.CHUNK_BYTES + 1),
                    readAll(body));
            }
        }
    }

    @Test
    void shouldDropFinishedMessagesFromIndexAfterGraceAndOnReplay() throws Exception {
        int n = 500;
        MessageId partial;
        try (ChronicleSpool spool = open(TimeUnit.MILLISECONDS.toNanos(300))) {
            List<MessageId> ids = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(store(spool, 100 + i));
            }
            SpoolWriter w = spool.begin(envelope(2), BodyForm.RAW);
            w.append(ByteBuffer.wrap(body(50, 50)));
            assertTrue(w.commit().join().isOk());
            partial = w.id();
            spool.recordOutcome(partial, 0, RecipientState.DELIVERED, 0, "250 ok"); // one of two recipients
            for (MessageId id : ids) {
                spool.recordOutcome(id, 0, RecipientState.DELIVERED, 0, "250 ok");
            }
            assertEquals(1, spool.stats().messagesLive());
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertTrue(spool.openBody(ids.get(0)).isPresent(), "a just-finished body is still readable");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (spool.indexSize() > 1 && System.nanoTime() < deadline) {
                spool.reclaimNow().get(10, TimeUnit.SECONDS);
                Thread.sleep(50);
            }
            assertEquals(1, spool.indexSize(), "only the unfinished message is held after the grace period");
            assertEquals(List.of(partial), spool.entries().stream().map(e -> e.id()).toList());
            assertTrue(spool.openBody(ids.get(0)).isEmpty());
            assertTrue(spool.entry(ids.get(n - 1)).isEmpty());
            assertEquals(1, queueFiles().size(), "the file is kept: it holds the unfinished message");
        }
        try (ChronicleSpool spool = open(TimeUnit.SECONDS.toNanos(10))) {
            assertEquals(1, spool.indexSize(), "replay drops finished messages at once, whatever the grace");
            assertEquals(1, spool.stats().messagesLive());
            try (MessageBody body = spool.openBody(partial).orElseThrow()) {
                assertArrayEquals(body(50, 50), readAll(body));
            }
        }
    }

    @Test
    void shouldRelocateLargeLiveMessagesOverSeveralPasses() throws Exception {
        int size = (int) (Relocation.MAX_BYTES_PER_PASS * 3 / 4);
        List<MessageId> deferred = new java.util.ArrayList<>();
        try (ChronicleSpool spool = open()) {
            for (int i = 0; i < 3; i++) {                               // file 0: three large deferred messages
                deferred.add(store(spool, size + i));
                spool.recordOutcome(deferred.get(i), 0, RecipientState.DEFERRED, 1L, "451 later");
            }
            clock.advanceMillis(2 * MINUTE_MS);
            store(spool, 10);                                           // file 2: active
            spool.reclaimNow().get(10, TimeUnit.SECONDS);
            assertEquals(2, queueFiles().size(), "one pass moves at most MAX_BYTES_PER_PASS: " + queueFiles());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (queueFiles().size() > 1 && System.nanoTime() < deadline) {
                spool.reclaimNow().get(10, TimeUnit.SECONDS);
            }
            assertEquals(1, queueFiles().size(), "emptied over later passes");
            for (int i = 0; i < 3; i++) {
                try (MessageBody body = spool.openBody(deferred.get(i)).orElseThrow()) {
                    assertArrayEquals(body(size + i, size + i), transferAll(body));
                }
            }
        }
        try (ChronicleSpool spool = open()) {
            assertEquals(4, spool.stats().messagesLive(), "the three moved messages and the one in file 2");
            try (MessageBody body = spool.openBody(deferred.get(2)).orElseThrow()) {
                assertArrayEquals(body(size + 2, size + 2), readAll(body));
            }
        }
    }
}
