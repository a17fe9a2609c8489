package io.sluice.spool.chronicle;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrefaulterTest {

    private static final long MB = 1L << 20;

    @TempDir
    Path dir;

    private Prefaulter prefaulter = new Prefaulter();

    @AfterEach
    void stop() {
        prefaulter.stop();
    }

    @Test
    void shouldReadAheadWhereSmallPagesCannotBeFilled() throws Exception {
        // As on a kernel without MADV_POPULATE_READ (before 5.14) or without the POSIX binding.
        prefaulter = new Prefaulter(file -> {
            throw new IOException("no POSIX binding: test");
        });
        File file = sparse("a.cq4", 3 * MB);
        prefaulter.start();
        prefaulter.follow(file, MB);
        awaitBytesFilled(n -> n == 2 * MB);
        assertEquals(3 * MB, file.length());
    }

    @Test
    void shouldReadAheadAfterAFillFailsAndCloseTheFiller() throws Exception {
        AtomicInteger fills = new AtomicInteger();
        AtomicBoolean closed = new AtomicBoolean();
        prefaulter = new Prefaulter(file -> new SmallPageFiller(null, -1, 4096) {
            @Override
            void fill(long from, long length) throws IOException {
                fills.incrementAndGet();
                throw new IOException("madvise: Invalid argument");
            }

            @Override
            public void close() {
                closed.set(true);
            }
        });
        File file = sparse("a.cq4", 3 * MB);
        prefaulter.start();
        prefaulter.follow(file, 0);
        awaitBytesFilled(n -> n == 3 * MB);
        assertEquals(1, fills.get(), "one failed fill, then reads only");
        assertTrue(closed.get(), "the failed filler is closed");

        // The next file is read too: a failed fill is not retried on every roll.
        File next = sparse("b.cq4", MB);
        prefaulter.follow(next, 0);
        awaitBytesFilled(n -> n == 4 * MB);
        assertEquals(1, fills.get());
    }

    @Test
    void shouldFillAheadOfTheWriterButNotFurther() throws Exception {
        File file = sparse("a.cq4", 160 * MB);
        prefaulter.start();

        prefaulter.follow(file, 0);
        awaitBytesFilled(n -> n == Prefaulter.AHEAD_BYTES);
        Thread.sleep(100);
        assertEquals(Prefaulter.AHEAD_BYTES, prefaulter.bytesFilled(), "stops AHEAD_BYTES past the writer");

        // The writer jumped past what was filled: the gap behind it is never filled, only what lies ahead.
        prefaulter.follow(file, 96 * MB);
        awaitBytesFilled(n -> n == 2 * Prefaulter.AHEAD_BYTES);
        Thread.sleep(100);
        assertEquals(2 * Prefaulter.AHEAD_BYTES, prefaulter.bytesFilled());
    }

    @Test
    void shouldStopAtTheEndOfTheFileAndNeverChangeIt() throws Exception {
        File file = sparse("a.cq4", 3 * MB);
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.seek(2 * MB + 7);
            raf.write("record".getBytes());
        }
        prefaulter.start();
        prefaulter.follow(file, MB);
        awaitBytesFilled(n -> n == 2 * MB);
        Thread.sleep(100);
        assertEquals(2 * MB, prefaulter.bytesFilled(), "nothing past the end of the file");
        assertEquals(3 * MB, file.length());
        try (RandomAccessFile raf = new RandomAccessFile(file, "r")) {
            byte[] b = new byte[6];
            raf.seek(2 * MB + 7);
            raf.readFully(b);
            assertEquals("record", new String(b));
        }
    }

    @Test
    void shouldFollowTheWriterIntoTheNextFile() throws Exception {
        File first = sparse("a.cq4", 2 * MB);
        File second = sparse("b.cq4", 5 * MB);
        prefaulter.start();
        prefaulter.follow(first, 0);
        awaitBytesFilled(n -> n == 2 * MB);

        prefaulter.follow(second, 0);
        awaitBytesFilled(n -> n == 7 * MB);
    }

    private File sparse(String name, long length) throws IOException {
        File f = dir.resolve(name).toFile();
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            raf.setLength(length);
        }
        return f;
    }

    private void awaitBytesFilled(LongPredicate done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.test(prefaulter.bytesFilled())) {
            assertTrue(System.nanoTime() < deadline, "bytes filled stuck at " + prefaulter.bytesFilled());
            Thread.sleep(5);
        }
    }
}
