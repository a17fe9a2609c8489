package io.sluice.load.generator;

import java.util.concurrent.ThreadLocalRandom;

import io.sluice.load.cli.Units;
import io.sluice.load.cli.UsageException;

/**
 * Message sizes: a fixed size ({@code 5k}) or uniform between two bounds ({@code 1k-100k}). Sizes are whole
 * messages (headers included), 1024-based units.
 */
public record SizeDistribution(int minBytes, int maxBytes) {

    /** Largest message the generator builds; enough for any relay test, small enough to keep in memory once. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    public SizeDistribution {
        if (minBytes < 1 || maxBytes < minBytes || maxBytes > MAX_BYTES) {
            throw new UsageException("--size must be between 1 and 64m, min <= max");
        }
    }

    public static SizeDistribution parse(String text) {
        int dash = text.indexOf('-');
        if (dash < 0) {
            int n = toInt(Units.parseSize(text, "--size"));
            return new SizeDistribution(n, n);
        }
        return new SizeDistribution(toInt(Units.parseSize(text.substring(0, dash), "--size")),
                toInt(Units.parseSize(text.substring(dash + 1), "--size")));
    }

    public int next() {
        return minBytes == maxBytes ? minBytes : ThreadLocalRandom.current().nextInt(minBytes, maxBytes + 1);
    }

    private static int toInt(long n) {
        if (n > MAX_BYTES || n < 1) {
            throw new UsageException("--size must be between 1 and 64m");
        }
        return (int) n;
    }

    @Override
    public String toString() {
        return minBytes == maxBytes ? minBytes + "B" : minBytes + "-" + maxBytes + "B uniform";
    }
}
