package io.sluice.spool;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to open a spool.
 *
 * @param dir             directory holding the queue files (created if missing)
 * @param durability      see {@link Durability}
 * @param maxMessageBytes largest body accepted; a larger append yields {@link AppendResult#TOO_LARGE}
 * @param minFreeBytes    free-space reserve: below it, {@link Spool#hasSpaceFor} is false and appends yield
 *                        {@link AppendResult#NO_SPACE}
 * @param rollInterval    how often a new queue file is started; finished files are deleted whole, so this
 *                        bounds how long reclaimable disk lingers
 */
public record SpoolOptions(Path dir, Durability durability, long maxMessageBytes, long minFreeBytes,
                           Duration rollInterval) {

    public SpoolOptions {
        if (dir == null || durability == null || rollInterval == null) {
            throw new IllegalArgumentException("dir, durability and rollInterval are required");
        }
        if (maxMessageBytes <= 0 || minFreeBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must be > 0 and minFreeBytes >= 0");
        }
    }

    /** Defaults used by tests and the embedded start: fsync, 50 MB messages, 256 MB reserve, hourly files. */
    public static SpoolOptions defaults(Path dir) {
        return new SpoolOptions(dir, Durability.FSYNC, 50L << 20, 256L << 20, Duration.ofHours(1));
    }
}
