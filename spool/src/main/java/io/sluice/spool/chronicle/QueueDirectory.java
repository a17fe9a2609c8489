package io.sluice.spool.chronicle;

import io.sluice.spool.SpoolException;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.stream.Stream;

/**
 * The spool directory: checks it, takes the writer's lock file (two gateways appending to one queue would
 * corrupt each other's view of it), builds the Chronicle queue with the roll cycle closest to the configured
 * roll interval, and measures free space. Opening thread only; {@link #close()} releases everything.
 */
final class QueueDirectory implements AutoCloseable {

    static final String LOCK_FILE = "sluice-spool.lock";
    private static final String SUFFIX = ".cq4";

    /** Supported roll cycles, shortest first; a queue gets the longest one not exceeding the roll interval. */
    private static final List<RollCycle> ROLL_CYCLES = List.of(TestRollCycles.TEST_SECONDLY,
        LegacyRollCycles.MINUTELY, RollCycles.FIVE_MINUTELY, RollCycles.TEN_MINUTELY, RollCycles.TWENTY_MINUTELY,
        RollCycles.HALF_HOURLY, RollCycles.FAST_HOURLY, RollCycles.TWO_HOURLY, RollCycles.FOUR_HOURLY,
        RollCycles.SIX_HOURLY, RollCycles.FAST_DAILY, RollCycles.WEEKLY);

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final FileChannel lockChannel;
    private final FileStore store;

    private QueueDirectory(Path dir, SingleChronicleQueue queue, FileChannel lockChannel, FileStore store) {
        this.dir = dir;
        this.queue = queue;
        this.lockChannel = lockChannel;
        this.store = store;
    }

    static RollCycle rollCycleFor(Duration rollInterval) {
        RollCycle chosen = ROLL_CYCLES.get(0);
        for (RollCycle rc : ROLL_CYCLES) {
            if (rc.lengthInMillis() <= rollInterval.toMillis()) {
                chosen = rc;
            }
        }
        return chosen;
    }

    static QueueDirectory openWritable(Path dir, Duration rollInterval, TimeProvider clock) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SpoolException("spool directory " + dir + " cannot be created: " + e, e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new SpoolException("spool directory " + dir + " is not a writable directory");
        }
        FileChannel lock = lock(dir);
        try {
            SingleChronicleQueueBuilder b = SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycleFor(rollInterval));
            if (clock != null) {
                b.timeProvider(clock);
            }
            return new QueueDirectory(dir, b.build(), lock, Files.getFileStore(dir));
        } catch (IOException | RuntimeException e) {
            closeQuietly(lock);
            throw new SpoolException("spool directory " + dir + " cannot be opened as a queue: " + e, e);
        }
    }

    static QueueDirectory openReadOnly(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SpoolException("no spool at " + dir + " (not a directory)");
        }
        try {
            SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true)
                .rollCycle(rollCycleOfFiles(dir)).build();
            return new QueueDirectory(dir, queue, null, Files.getFileStore(dir));
        } catch (IOException | RuntimeException e) {
            throw new SpoolException("spool " + dir + " cannot be opened for reading: " + e, e);
        }
    }

    /**
     * The roll cycle the queue's files were written with, recognised from a file name (a reader that guesses
     * wrong still works, as Chronicle takes the cycle from the queue's metadata, but it logs a warning on every
     * CLI run). The daily default when there is no file yet.
     */
    static RollCycle rollCycleOfFiles(Path dir) throws IOException {
        String name;
        try (Stream<Path> files = Files.list(dir)) {
            name = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX)).findFirst().orElse(null);
        }
        if (name != null) {
            String stem = name.substring(0, name.length() - SUFFIX.length());
            for (RollCycle rc : ROLL_CYCLES) {
                try {
                    DateTimeFormatter.ofPattern(rc.format()).parse(stem);
                    return rc;
                } catch (DateTimeParseException e) {
                    // not this one
                }
            }
        }
        return RollCycles.FAST_DAILY;
    }

    private static FileChannel lock(Path dir) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new SpoolException("spool directory " + dir + " is in use by another process");
            }
            return ch;
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw new SpoolException("spool directory " + dir + " is already open in this process", e);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SpoolException("spool directory " + dir + " cannot be locked: " + e, e);
        } catch (SpoolException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    SingleChronicleQueue queue() {
        return queue;
    }

    Path dir() {
        return dir;
    }

    long usableBytes() {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return 0; // cannot tell: refuse new mail (452) rather than risk a fault writing a full disk
        }
    }

    @Override
    public void close() {
        queue.close();
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing useful to do: the lock goes with the process anyway
            }
        }
    }
}
