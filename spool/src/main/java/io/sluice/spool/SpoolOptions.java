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
 * @param commitWindow    {@link Durability#FSYNC} only: the least time between two forces. Commits that arrive
 *                        meanwhile join the next one; zero forces as soon as the previous force is done
 */
public record SpoolOptions(Path dir, Durability durability, long maxMessageBytes, long minFreeBytes,
                           Duration rollInterval, Duration commitWindow) {

    /**
     * None: force as soon as the previous force is done (commits arriving during a force share the next one
     * anyway). Measured on the relay (5 KB, 50 sessions, fsync), a 1 ms window gave 10% less CPU per message and
     * 7% more throughput in cold runs but 8% less throughput once warm, so it is a tuning, not a default: it pays
     * where a force costs more than here (each force is a disk flush, and on a VM two exits and a TLB-flush
     * interrupt per written page besides).
     */
    public static final Duration DEFAULT_COMMIT_WINDOW = Duration.ZERO;
    /** A longer window would only add latency: by then every concurrent commit has long joined. */
    public static final Duration MAX_COMMIT_WINDOW = Duration.ofMillis(100);

    /** The one range rule for {@code commitWindow}; configuration calls it to name its own key in the error. */
    public static void checkCommitWindow(Duration commitWindow) {
        if (commitWindow.isNegative() || commitWindow.compareTo(MAX_COMMIT_WINDOW) > 0) {
            throw new IllegalArgumentException("must be 0 to " + MAX_COMMIT_WINDOW.toMillis() + "ms, not "
                + commitWindow.toMillis() + "ms");
        }
    }

    public SpoolOptions(Path dir, Durability durability, long maxMessageBytes, long minFreeBytes,
                        Duration rollInterval) {
        this(dir, durability, maxMessageBytes, minFreeBytes, rollInterval, DEFAULT_COMMIT_WINDOW);
    }

    public SpoolOptions {
        if (dir == null || durability == null || rollInterval == null || commitWindow == null) {
            throw new IllegalArgumentException("dir, durability, rollInterval and commitWindow are required");
        }
        checkCommitWindow(commitWindow);
        if (maxMessageBytes <= 0 || minFreeBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must be > 0 and minFreeBytes >= 0");
        }
    }

    /** Defaults used by tests and the embedded start: fsync, 50 MB messages, 256 MB reserve, hourly files. */
    public static SpoolOptions defaults(Path dir) {
        return new SpoolOptions(dir, Durability.FSYNC, 50L << 20, 256L << 20, Duration.ofHours(1));
    }
}
