package io.sluice.spool.chronicle;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolException;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolReader;
import io.sluice.spool.SpoolWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static io.sluice.spool.chronicle.SpoolFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChronicleSpoolTest {

    @TempDir
    Path dir;

    private static MessageId store(Spool spool, byte[] body, int piece) {
        SpoolWriter w = spool.begin(envelope(2), BodyForm.RAW);
        ByteBuffer reused = ByteBuffer.allocate(Math.max(piece, 1));
        for (int off = 0; off < body.length; off += piece) {
            int n = Math.min(piece, body.length - off);
            reused.clear();
            reused.put(body, off, n).flip();
            assertEquals(AppendResult.OK, w.append(reused));
            assertFalse(reused.hasRemaining(), "append consumes the buffer");
            reused.put(0, (byte) 0x55); // the caller reuses its buffer at once
        }
        assertEquals(body.length, w.size());
        assertEquals(AppendResult.OK, w.commit().join());
        return w.id();
    }

    @Test
    void shouldReadBackSmallMessageByteExactWithEnvelope() throws Exception {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            byte[] body = body(5000, 1);
            MessageId id = store(spool, body, 1000);
            SpoolEntry e = spool.entry(id).orElseThrow();
            assertEquals(envelope(2), e.envelope());
            assertEquals(5000, e.bodyBytes());
            assertEquals(BodyForm.RAW, e.bodyForm());
            assertEquals(RecipientState.QUEUED, e.recipients().get(1).state());
            try (MessageBody b = spool.openBody(id).orElseThrow()) {
                assertArrayEquals(body, readAll(b));
                assertArrayEquals(body, transferAll(b));
            }
        }
    }

    @Test
    void shouldShareOneForceAmongCommitsWithinTheCommitWindow() throws Exception {
        SpoolOptions o = new SpoolOptions(dir, Durability.FSYNC, 50L << 20, 0, Duration.ofHours(1),
            SpoolOptions.MAX_COMMIT_WINDOW);
        try (Spool spool = ChronicleSpool.open(o)) {
            store(spool, body(100, 1), 100); // a force now, so the window below starts from it
            long before = spool.stats().syncs();
            int writers = 8;
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<MessageId> ids = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                // Staggered 3 ms apart: without a window each would get a force of its own.
                threads.add(Thread.ofPlatform().start(() -> {
                    sleepQuietly(3L * n);
                    ids.add(store(spool, body(5000, n), 5000));
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(writers, ids.size());
            long forces = spool.stats().syncs() - before;
            assertTrue(forces >= 1 && forces <= 3, "8 commits within 25 ms took " + forces + " forces");
            for (MessageId id : ids) {
                assertTrue(spool.entry(id).isPresent());
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldForceEachCommitAloneWithoutACommitWindow() throws Exception {
        SpoolOptions o = new SpoolOptions(dir, Durability.FSYNC, 50L << 20, 0, Duration.ofHours(1), Duration.ZERO);
        try (Spool spool = ChronicleSpool.open(o)) {
            long before = spool.stats().syncs();
            for (int i = 0; i < 5; i++) {
                store(spool, body(1000, i), 1000); // one at a time: each waits for its own force
            }
            assertEquals(5, spool.stats().syncs() - before);
        }
    }

    @Test
    void shouldRefuseACommitWindowOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new SpoolOptions(dir, Durability.FSYNC, 1, 0,
            Duration.ofHours(1), Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> new SpoolOptions(dir, Durability.FSYNC, 1, 0,
            Duration.ofHours(1), Duration.ofMillis(101)));
    }

    @Test
    void shouldPrefaultTheActiveFileAheadOfTheWriter() throws Exception {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            byte[] body = body(5000, 1);
            MessageId id = store(spool, body, 5000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (((ChronicleSpool) spool).prefaultedBytes() == 0) {
                assertTrue(System.nanoTime() < deadline, "nothing read ahead of the writer");
                Thread.sleep(5);
            }
            try (MessageBody b = spool.openBody(id).orElseThrow()) {
                assertArrayEquals(body, readAll(b), "reading ahead changed nothing");
            }
        }
    }

    @Test
    void shouldReadBackChunkedBodiesAtEveryBoundary() throws Exception {
        int c = ChronicleSpool.CHUNK_BYTES;
        int s = ChronicleSpool.SMALL_STAGING_BYTES;
        int[] sizes = {0, 1, s - 1, s, s + 1, c - 1, c, c + 1, 2 * c, 2 * c + 1, 3 * c + 17};
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.OS))) {
            List<MessageId> ids = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                ids.add(store(spool, body(sizes[i], i), i % 3 == 0 ? 7919 : i % 3 == 1 ? c : s));
            }
            for (int i = 0; i < sizes.length; i++) {
                try (MessageBody b = spool.openBody(ids.get(i)).orElseThrow()) {
                    assertEquals(sizes[i], b.length());
                    assertArrayEquals(body(sizes[i], i), readAll(b), "size " + sizes[i]);
                    assertArrayEquals(body(sizes[i], i), transferAll(b), "size " + sizes[i]);
                }
            }
        }
    }

    @Test
    void shouldReadInterleavedChunkedMessages() throws Exception {
        int c = ChronicleSpool.CHUNK_BYTES;
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.OS))) {
            SpoolWriter a = spool.begin(envelope(1), BodyForm.RAW);
            SpoolWriter b = spool.begin(envelope(1), BodyForm.RAW);
            byte[] ba = body(5 * c + 3, 10);
            byte[] bb = body(4 * c + 9, 11);
            for (int off = 0; off < Math.max(ba.length, bb.length); off += 1000) {
                if (off < ba.length) {
                    a.append(ByteBuffer.wrap(ba, off, Math.min(1000, ba.length - off)));
                }
                if (off < bb.length) {
                    b.append(ByteBuffer.wrap(bb, off, Math.min(1000, bb.length - off)));
                }
            }
            CompletableFuture<AppendResult> fb = b.commit();
            assertEquals(AppendResult.OK, a.commit().join());
            assertEquals(AppendResult.OK, fb.join());
            try (MessageBody body = spool.openBody(a.id()).orElseThrow()) {
                assertArrayEquals(ba, readAll(body));
            }
            try (MessageBody body = spool.openBody(b.id()).orElseThrow()) {
                assertArrayEquals(bb, transferAll(body));
            }
        }
    }

    @Test
    void shouldDotUnstuffMessageStream() throws Exception {
        byte[] stored = "Subject: x\r\n\r\n..leading dot\r\n...two\r\nmid.dot\r\n.\r\n..\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.OS))) {
            SpoolWriter w = spool.begin(envelope(1), BodyForm.DOT_STUFFED);
            w.append(ByteBuffer.wrap(stored));
            assertEquals(AppendResult.OK, w.commit().join());
            try (MessageBody b = spool.openBody(w.id()).orElseThrow(); InputStream in = b.openMessageStream()) {
                assertEquals(BodyForm.DOT_STUFFED, b.form());
                assertEquals("Subject: x\r\n\r\n.leading dot\r\n..two\r\nmid.dot\r\n\r\n.\r\n",
                    new String(in.readAllBytes(), StandardCharsets.US_ASCII));
                assertArrayEquals(stored, readAll(b));
            }
        }
    }

    @Test
    void shouldLeaveNothingWhenAborted() {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            SpoolWriter small = spool.begin(envelope(1), BodyForm.RAW);
            small.append(ByteBuffer.wrap(body(100, 1)));
            small.abort();
            small.abort();
            SpoolWriter big = spool.begin(envelope(1), BodyForm.RAW);
            big.append(ByteBuffer.wrap(body(5 * ChronicleSpool.CHUNK_BYTES, 2)));
            big.abort();
            assertTrue(spool.entries().isEmpty());
            assertTrue(spool.entry(big.id()).isEmpty());
            assertThrows(IllegalStateException.class, () -> big.append(ByteBuffer.allocate(1)));
        }
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            assertTrue(spool.entries().isEmpty(), "aborted messages must not come back");
        }
    }

    @Test
    void shouldRefuseTooLargeMessages() {
        SpoolOptions o = new SpoolOptions(dir, Durability.OS, 1000, 0, Duration.ofHours(1));
        try (Spool spool = ChronicleSpool.open(o)) {
            SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
            assertEquals(AppendResult.OK, w.append(ByteBuffer.wrap(body(1000, 1))));
            assertEquals(AppendResult.TOO_LARGE, w.append(ByteBuffer.wrap(body(1, 1))));
            assertEquals(AppendResult.TOO_LARGE, w.commit().join());
            assertTrue(spool.entries().isEmpty());
        }
    }

    @Test
    void shouldGroupCommitConcurrentWritersOnVirtualThreads() throws Exception {
        int writers = 200;
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            java.util.concurrent.ConcurrentHashMap<MessageId, Integer> ids = new java.util.concurrent.ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int seed = t;
                threads.add(Thread.ofVirtual().start(() -> {
                    int size = seed % 10 == 0 ? 3 * ChronicleSpool.CHUNK_BYTES + seed : 4000 + seed;
                    SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
                    w.append(ByteBuffer.wrap(body(size, seed)));
                    if (w.commit().join() == AppendResult.OK) {
                        ids.put(w.id(), seed);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(writers, ids.size());
            assertEquals(writers, spool.stats().messagesCommitted());
            assertTrue(spool.stats().syncs() < writers, "group commit shares forces: " + spool.stats());
            assertTrue(spool.stats().syncs() > 0, "fsync mode forces: " + spool.stats());
            for (var e : ids.entrySet()) {
                try (MessageBody b = spool.openBody(e.getKey()).orElseThrow()) {
                    assertArrayEquals(body((int) b.length(), e.getValue()), readAll(b));
                }
            }
        }
    }

    @Test
    void shouldRestoreStatesOnReopenAndRequeueInFlight() {
        MessageId id;
        long before;
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            id = store(spool, body(10, 1), 10);
            spool.recordOutcome(id, 0, RecipientState.DEFERRED, 12345L, "451 4.3.0 try later");
            spool.recordOutcome(id, 1, RecipientState.IN_FLIGHT, 0, "");
            SpoolEntry e = spool.entry(id).orElseThrow();
            assertEquals(RecipientState.DEFERRED, e.recipients().get(0).state());
            assertEquals(1, e.recipients().get(0).attempts());
            assertEquals(RecipientState.IN_FLIGHT, e.recipients().get(1).state(), "in memory while running");
            before = id.value();
        }
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            SpoolEntry e = spool.entry(id).orElseThrow();
            assertEquals(RecipientState.DEFERRED, e.recipients().get(0).state());
            assertEquals(12345L, e.recipients().get(0).nextAttemptEpochMs());
            assertEquals("451 4.3.0 try later", e.recipients().get(0).lastReply());
            assertEquals(1, e.recipients().get(0).attempts());
            assertEquals(RecipientState.QUEUED, e.recipients().get(1).state(), "IN_FLIGHT comes back QUEUED");
            MessageId next = spool.begin(envelope(1), BodyForm.RAW).id();
            assertTrue(next.value() > before, "ids stay unique and increasing across reopen");
            spool.recordOutcome(id, 0, RecipientState.DELIVERED, 0, "250 ok");
            spool.recordOutcome(id, 1, RecipientState.BOUNCED, 0, "550 5.1.1 no such user");
            assertTrue(spool.entry(id).orElseThrow().isFinished());
            assertEquals(0, spool.stats().messagesLive());
        }
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            assertTrue(spool.entry(id).map(SpoolEntry::isFinished).orElse(true));
            assertEquals(0, spool.stats().messagesLive());
        }
    }

    @Test
    void shouldForceOutcomeEventsWithoutWaitingForTheNextCommit() throws Exception {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            MessageId id = store(spool, body(10, 1), 10);
            long syncs = spool.stats().syncs();
            spool.recordOutcome(id, 0, RecipientState.DEFERRED, 1L, "451 later");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (spool.stats().syncs() == syncs && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(spool.stats().syncs() > syncs, "an idle spool forces pending events within about a second");
        }
    }

    @Test
    void shouldReplayPendingToListenerThenReportNewCommitsWhenDurable() throws Exception {
        MessageId old;
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            old = store(spool, body(10, 1), 10);
            MessageId done = store(spool, body(10, 2), 10);
            spool.recordOutcome(done, 0, RecipientState.DELIVERED, 0, "");
            spool.recordOutcome(done, 1, RecipientState.DELIVERED, 0, "");
        }
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            ConcurrentLinkedQueue<MessageId> seen = new ConcurrentLinkedQueue<>();
            spool.setCommitListener(e -> seen.add(e.id()));
            assertEquals(List.of(old), List.copyOf(seen));
            MessageId fresh = store(spool, body(10, 3), 10);
            assertEquals(List.of(old, fresh), List.copyOf(seen), "listener told before commit completes");
        }
    }

    @Test
    void shouldRefuseWithNoSpaceThenRecover() {
        long[] usable = {10L << 20};
        SpoolOptions o = new SpoolOptions(dir, Durability.FSYNC, 1L << 20, 64L << 20, Duration.ofHours(1));
        try (Spool spool = ChronicleSpool.open(o, null, () -> usable[0], ChronicleSpool.RECLAIM_GRACE_NS)) {
            assertFalse(spool.hasSpaceFor(0));
            SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
            assertEquals(AppendResult.NO_SPACE, w.append(ByteBuffer.wrap(body(100, 1))));
            assertEquals(AppendResult.NO_SPACE, w.commit().join());
            usable[0] = 1L << 30;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!spool.hasSpaceFor(1000) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(spool.hasSpaceFor(1000), "space came back");
            store(spool, body(100, 2), 100);
        }
    }

    @Test
    void shouldRefuseWhenReserveExceedsRealFreeSpace() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        SpoolOptions o = new SpoolOptions(dir, Durability.FSYNC, 1L << 20, free + (1L << 40), Duration.ofHours(1));
        try (Spool spool = ChronicleSpool.open(o)) {
            assertFalse(spool.hasSpaceFor(1));
            SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
            assertEquals(AppendResult.NO_SPACE, w.append(ByteBuffer.wrap(body(100, 1))));
            assertEquals(AppendResult.NO_SPACE, w.commit().join());
        }
    }

    @Test
    void shouldCopyBodiesOfOneAndManySegmentsIntoABuffer() throws Exception {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.OS))) {
            byte[] small = body(5_000, 3);
            byte[] big = body(2 * ChronicleSpool.CHUNK_BYTES + 5, 4);
            for (byte[] expected : List.of(small, big)) {
                MessageId id = store(spool, expected, 1000);
                try (MessageBody b = spool.openBody(id).orElseThrow()) {
                    ByteBuffer dst = ByteBuffer.allocateDirect(expected.length + 7);
                    dst.put((byte) '#');
                    b.copyTo(dst);
                    assertEquals(expected.length + 1, dst.position());
                    byte[] got = new byte[expected.length];
                    dst.flip().get();
                    dst.get(got);
                    assertArrayEquals(expected, got);
                    assertThrows(IllegalArgumentException.class,
                        () -> b.copyTo(ByteBuffer.allocate(expected.length - 1)));
                }
            }
        }
    }

    @Test
    void shouldServeReadOnlyOpenWhileWriterRuns() throws Exception {
        try (Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            byte[] big = body(2 * ChronicleSpool.CHUNK_BYTES + 5, 9);
            MessageId id = store(spool, big, 4096);
            spool.recordOutcome(id, 0, RecipientState.IN_FLIGHT, 0, "");
            spool.recordOutcome(id, 1, RecipientState.DEFERRED, 99L, "421 busy");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (SpoolReader reader = ChronicleSpool.openReadOnly(dir)) {
                    SpoolEntry e = reader.entry(id).orElseThrow();
                    if (e.recipients().get(1).state() == RecipientState.DEFERRED || System.nanoTime() > deadline) {
                        assertEquals(RecipientState.DEFERRED, e.recipients().get(1).state());
                        assertEquals(RecipientState.QUEUED, e.recipients().get(0).state(),
                            "IN_FLIGHT is not written: another process sees the recipient as queued");
                        try (MessageBody b = reader.openBody(id).orElseThrow()) {
                            assertArrayEquals(big, readAll(b));
                        }
                        break;
                    }
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void shouldFailClearlyOnUnusableDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        SpoolException e = assertThrows(SpoolException.class,
            () -> ChronicleSpool.open(SpoolOptions.defaults(file.resolve("spool"))));
        assertTrue(e.getMessage().contains("cannot be created"), e.getMessage());
        try (Spool spool = ChronicleSpool.open(options(dir.resolve("s"), Durability.OS))) {
            SpoolException twice = assertThrows(SpoolException.class,
                () -> ChronicleSpool.open(options(dir.resolve("s"), Durability.OS)));
            assertTrue(twice.getMessage().contains("already open"), twice.getMessage());
        }
        assertThrows(SpoolException.class, () -> ChronicleSpool.openReadOnly(dir.resolve("missing")));
    }

    @Test
    void shouldFinishCommitsInFlightWhenClosed() throws Exception {
        Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC));
        java.util.concurrent.ConcurrentHashMap<MessageId, AppendResult> results = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(20);
        for (int t = 0; t < 100; t++) {
            int seed = t;
            threads.add(Thread.ofVirtual().start(() -> {
                started.countDown();
                SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
                w.append(ByteBuffer.wrap(body(seed % 3 == 0 ? 2 * ChronicleSpool.CHUNK_BYTES : 500, seed)));
                results.put(w.id(), w.commit().join());
            }));
        }
        started.await();
        spool.close();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(100, results.size(), "every commit completes, none hangs");
        assertTrue(results.values().stream().allMatch(r -> r == AppendResult.OK || r == AppendResult.CLOSED),
            results.toString());
        try (Spool reopened = ChronicleSpool.open(options(dir, Durability.FSYNC))) {
            for (var e : results.entrySet()) {
                if (e.getValue() == AppendResult.OK) {
                    assertTrue(reopened.entry(e.getKey()).isPresent(), "committed before close: " + e.getKey());
                }
            }
        }
    }

    @Test
    void shouldReportClosedAfterClose() {
        Spool spool = ChronicleSpool.open(options(dir, Durability.FSYNC));
        SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
        spool.close();
        assertEquals(AppendResult.CLOSED, w.append(ByteBuffer.wrap(body(10, 1))));
        assertFalse(spool.hasSpaceFor(1));
        spool.close();
    }
}
