package io.sluice.spool.chronicle;

import io.sluice.spool.index.MessageIndex;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.agrona.collections.IntHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The queue's files by roll cycle: which exist, which were written since the last force, and deleting finished
 * ones. Writer thread only (filled by the recovery scan before that thread starts).
 *
 * <h2>Reclamation rule</h2>
 * A message pins the file holding its first record (its first chunk, or its MESSAGE record when inline); the
 * events about it always come later, in the same or newer files. Files are deleted <em>oldest first and in
 * order</em>, and a file is deleted only when
 * <ol>
 *   <li>it is older than the newest file (the appender's active file is never deleted: Chronicle would keep
 *       appending to the unlinked file and the data would be gone at the next open);</li>
 *   <li>it is older than the first chunk of every message still being received; and</li>
 *   <li>every message it pins is finished (all recipients terminal), the last of them at least a grace period
 *       ago (delivery may read a body right after its last outcome, e.g. for a success DSN).</li>
 * </ol>
 * Deleting in order is what makes this safe: when file N goes, files before it are already gone, so every message
 * an event in file N refers to lived in file N or earlier and is finished. Events in newer files about messages
 * of file N are ignored at replay, which is right, as those messages are finished.
 *
 * <p>So that one message deferred for days does not pin its file and every newer one, an old file (at least
 * {@link Relocation#MIN_AGE_CYCLES} cycles behind the newest) with few live messages is emptied by
 * {@link Relocation}: its live messages are re-appended to the active file with their state, forced, and then the
 * file goes.
 */
final class CycleFiles {

    private static final Logger LOG = LoggerFactory.getLogger(CycleFiles.class);

    private final ReadChannels readers;
    private final TreeMap<Integer, File> byCycle = new TreeMap<>();
    private final TreeMap<Integer, FileChannel> channels = new TreeMap<>();
    private final IntHashSet dirty = new IntHashSet();
    private int lastWrittenCycle = Integer.MIN_VALUE;
    private File lastWrittenFile;
    private boolean isDirectoryDirty;
    private volatile int count;

    CycleFiles(ReadChannels readers) {
        this.readers = readers;
    }

    void put(int cycle, File file) {
        if (file != null && byCycle.put(cycle, file) == null) {
            count = byCycle.size();
            readers.register(cycle, file);
        }
    }

    /** The file the writer appended to last; null before the first append. */
    File lastWrittenFile() {
        return lastWrittenFile;
    }

    int count() {
        return count;
    }

    int newestCycle() {
        return byCycle.isEmpty() ? Integer.MIN_VALUE : byCycle.lastKey();
    }

    /** After each append: remember the appender's file and that it needs a force. Allocation-free when unchanged. */
    void noteWritten(ExcerptAppender appender) {
        int cycle = appender.cycle();
        if (cycle != lastWrittenCycle) {
            lastWrittenCycle = cycle;
            isDirectoryDirty |= !byCycle.containsKey(cycle); // a new file: its directory entry needs a force too
            put(cycle, appender.currentFile());
            lastWrittenFile = byCycle.get(cycle);
        }
        dirty.add(cycle);
    }

    /** Forces every file written since the last call (usually one; two across a roll). */
    void forceDirty() throws IOException {
        IntHashSet.IntIterator it = dirty.iterator();
        while (it.hasNext()) {
            int cycle = it.nextValue();
            FileChannel ch = channel(cycle);
            if (ch != null) {
                ch.force(false);
            }
        }
        dirty.clear();
        if (isDirectoryDirty) {
            forceDirectory();
        }
        // Keep a channel only for the active file; older files are not written again.
        while (channels.size() > 1) {
            closeQuietly(channels.pollFirstEntry().getValue());
        }
    }

    /**
     * After a roll, the new file's name must survive a power loss as well as its contents; on Linux a directory
     * can be forced like a file. Once per roll, not per commit.
     */
    private void forceDirectory() throws IOException {
        File newest = byCycle.isEmpty() ? null : byCycle.lastEntry().getValue();
        if (newest != null && newest.getParentFile() != null) {
            try (FileChannel dir = FileChannel.open(newest.getParentFile().toPath(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
        isDirectoryDirty = false;
    }

    private FileChannel channel(int cycle) throws IOException {
        FileChannel ch = channels.get(cycle);
        if (ch == null) {
            File f = byCycle.get(cycle);
            if (f == null) {
                return null;
            }
            ch = FileChannel.open(f.toPath(), StandardOpenOption.WRITE);
            channels.put(cycle, ch);
        }
        return ch;
    }

    /**
     * Deletes finished files older than {@code limitCycle}, oldest first. A file that still holds unfinished
     * messages is offered to {@code tryEmpty} (relocation); if that does not empty it, the pass stops there.
     */
    void reclaim(int limitCycle, MessageIndex index, IntPredicate tryEmpty, long graceNs) {
        long nowNs = System.nanoTime();
        Iterator<Map.Entry<Integer, File>> it = byCycle.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, File> e = it.next();
            int cycle = e.getKey();
            if (cycle >= limitCycle) {
                return;
            }
            if (index.isCycleFinished(cycle)) {
                if (!index.hasBeenFinishedFor(cycle, nowNs, graceNs)) {
                    return;
                }
            } else if (!tryEmpty.test(cycle)) {
                return;
            }
            FileChannel ch = channels.remove(cycle);
            if (ch != null) {
                closeQuietly(ch);
            }
            readers.retire(cycle); // bodies opened before this keep reading the unlinked file
            try {
                Files.deleteIfExists(e.getValue().toPath());
            } catch (IOException ex) {
                LOG.warn("could not delete finished spool file {}: {}", e.getValue(), ex.toString());
                return;
            }
            it.remove();
            count = byCycle.size();
            dirty.remove(cycle);
            index.dropCycle(cycle);
        }
    }

    void closeChannels() {
        for (FileChannel ch : channels.values()) {
            closeQuietly(ch);
        }
        channels.clear();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("closing spool file channel: {}", e.toString());
        }
    }
}
