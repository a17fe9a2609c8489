package io.sluice.gateway.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Remembers each watched file's modification time, size and inode, to tell when it changed. All three, because
 * an editor or {@code sluice user} replaces the file by rename (new inode, maybe within the same mtime tick).
 * Stamps are taken <i>before</i> a file is read and recorded after, so a change made while reading is seen on the
 * next poll. Used only by the watcher thread of {@link LocalMail} (and its constructor).
 */
final class FileStamps {

    record Stamp(FileTime mtime, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(null, -1, null);
    }

    private final Map<Path, Stamp> recorded = new HashMap<>();

    static Map<Path, Stamp> take(List<Path> files) {
        Map<Path, Stamp> out = new HashMap<>();
        for (Path f : files) {
            out.put(f, stampOf(f));
        }
        return out;
    }

    /** Files whose stamp in {@code now} differs from the recorded one (a file not seen before counts as changed). */
    Set<Path> changed(Map<Path, Stamp> now) {
        Set<Path> out = new LinkedHashSet<>();
        for (Map.Entry<Path, Stamp> e : now.entrySet()) {
            if (!Objects.equals(recorded.get(e.getKey()), e.getValue())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Records {@code taken}, and the current stamp of any other file in {@code files} not recorded yet. */
    void record(Map<Path, Stamp> taken, List<Path> files) {
        recorded.clear();
        recorded.putAll(taken);
        for (Path f : files) {
            recorded.computeIfAbsent(f, FileStamps::stampOf);
        }
    }

    private static Stamp stampOf(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (IOException e) {
            return Stamp.MISSING;
        }
    }
}
