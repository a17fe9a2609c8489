package io.sluice.load.cli;

import java.util.Locale;

/**
 * One parser for the units on the command line: sizes ({@code 5120}, {@code 5k}, {@code 1m}, 1024-based like the
 * gateway's config), counts ({@code 20000}, {@code 20k}, {@code 1m}: 1000-based), durations ({@code 500ms},
 * {@code 60s}, {@code 10m}, {@code 1h}; a bare number is seconds).
 */
public final class Units {

    private Units() {
    }

    /** A size in bytes: digits with an optional k/m/g suffix (1024-based), an optional trailing b. */
    public static long parseSize(String text, String what) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> mult = 1024;
                case 'm' -> mult = 1024 * 1024;
                case 'g' -> mult = 1024L * 1024 * 1024;
                default -> mult = 1;
            }
            if (mult != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return digits(s, text, what) * mult;
    }

    /** A count: digits with an optional k/m suffix (1000-based, so 20k messages is 20,000). */
    public static long parseCount(String text, String what) {
        String s = text.trim().toLowerCase(Locale.ROOT).replace("_", "").replace(",", "");
        long mult = 1;
        if (s.endsWith("k")) {
            mult = 1_000;
        } else if (s.endsWith("m")) {
            mult = 1_000_000;
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1);
        }
        return digits(s, text, what) * mult;
    }

    public static long parseDurationNs(String text, String what) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long unitNs;
        String num;
        if (s.endsWith("ms")) {
            unitNs = 1_000_000L;
            num = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            unitNs = 1_000_000_000L;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            unitNs = 60_000_000_000L;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            unitNs = 3_600_000_000_000L;
            num = s.substring(0, s.length() - 1);
        } else {
            unitNs = 1_000_000_000L;
            num = s;
        }
        return digits(num, text, what) * unitNs;
    }

    public static String formatDuration(long ns) {
        if (ns % 3_600_000_000_000L == 0) {
            return ns / 3_600_000_000_000L + "h";
        }
        if (ns % 60_000_000_000L == 0) {
            return ns / 60_000_000_000L + "m";
        }
        if (ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        return ns / 1_000_000L + "ms";
    }

    private static long digits(String s, String original, String what) {
        if (s.isEmpty() || s.length() > 15) {
            throw new UsageException(what + ": cannot read '" + original + "'");
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new UsageException(what + ": cannot read '" + original + "'");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
