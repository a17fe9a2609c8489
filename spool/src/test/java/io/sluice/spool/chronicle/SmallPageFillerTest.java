package io.sluice.spool.chronicle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

class SmallPageFillerTest {

    private static final long MB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldCacheExactlyTheRangeWithoutReadingAhead() throws Exception {
        File file = sparse(64 * MB);
        try (SmallPageFiller filler = SmallPageFiller.open(file)) {
            filler.fill(8 * MB, MB);
        }
        assertTrue(resident(file, 8 * MB, MB), "the filled range is in the page cache");
        // A read, or a fault without MADV_RANDOM, would have brought in a readahead window past the range too.
        assertFalse(resident(file, 9 * MB, 4096), "no readahead past the range");
        assertFalse(resident(file, 8 * MB - 4096, 4096), "no read-around before the range");
    }

    @Test
    void shouldNeverChangeTheFile() throws Exception {
        File file = sparse(4 * MB);
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.seek(MB + 5);
            raf.write("record".getBytes());
        }
        try (SmallPageFiller filler = SmallPageFiller.open(file)) {
            filler.fill(0, 4 * MB);
        }
        assertEquals(4 * MB, file.length());
        try (RandomAccessFile raf = new RandomAccessFile(file, "r")) {
            byte[] b = new byte[6];
            raf.seek(MB + 5);
            raf.readFully(b);
            assertEquals("record", new String(b));
        }
    }

    @Test
    void shouldFailPastTheEndOfTheFileInsteadOfCrashing() throws Exception {
        File file = sparse(MB);
        try (SmallPageFiller filler = SmallPageFiller.open(file)) {
            // Would be SIGBUS if the memory were touched; populating reports it as an error instead.
            assertThrows(IOException.class, () -> filler.fill(0, 2 * MB));
            filler.fill(0, MB); // still usable
        }
    }

    @Test
    void shouldAlignToThePage() throws Exception {
        try (SmallPageFiller filler = SmallPageFiller.open(sparse(MB))) {
            assertEquals(0, filler.alignDown(4095));
            assertEquals(8192, filler.alignDown(8192 + 17));
        }
    }

    private File sparse(long length) throws IOException {
        File f = dir.resolve("a.cq4").toFile();
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            raf.setLength(length);
        }
        return f;
    }

    /** mincore through the JDK: mapping alone does not fault anything in. */
    private static boolean resident(File file, long from, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, from, length);
            return map.isLoaded();
        }
    }
}
