package io.sluice.load.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --key value} and {@code --key=value} options, each at most once, every one known in advance. Values are
 * taken out with the typed getters; {@link #requireAllUsed()} then refuses options the command did not read
 * (a typo such as {@code --sesions} must not silently fall back to a default in a measurement).
 */
public final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> known;

    public Args(String[] argv, int from, Set<String> known) {
        this.known = known;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "' (options are --name value)");
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                if (key.equals("help")) {
                    value = "true";
                } else {
                    if (i + 1 >= argv.length) {
                        throw new UsageException("option --" + key + " needs a value");
                    }
                    value = argv[++i];
                }
            }
            if (!known.contains(key) && !key.equals("help")) {
                throw new UsageException("unknown option --" + key);
            }
            if (values.put(key, value) != null) {
                throw new UsageException("option --" + key + " given twice");
            }
        }
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean wantsHelp() {
        return values.containsKey("help");
    }

    public String string(String key, String dflt) {
        return values.getOrDefault(key, dflt);
    }

    public long longValue(String key, long dflt, long min, long max) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        long n = Units.parseCount(v, "--" + key);
        return inRange(key, n, min, max);
    }

    public int intValue(String key, int dflt, int min, int max) {
        return (int) longValue(key, dflt, min, max);
    }

    public double fraction(String key, double dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through to the usage error
        }
        throw new UsageException("--" + key + " must be a fraction between 0 and 1, got '" + v + "'");
    }

    /** Duration option in nanoseconds, or {@code dflt} when absent. */
    public long durationNs(String key, long dflt, long minNs, long maxNs) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        long ns = Units.parseDurationNs(v, "--" + key);
        if (ns < minNs || ns > maxNs) {
            throw new UsageException("--" + key + " must be between " + Units.formatDuration(minNs) + " and "
                    + Units.formatDuration(maxNs) + ", got '" + v + "'");
        }
        return ns;
    }

    public boolean onOff(String key, boolean dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new UsageException("--" + key + " takes on|off, got '" + v + "'");
        };
    }

    private static long inRange(String key, long n, long min, long max) {
        if (n < min || n > max) {
            throw new UsageException("--" + key + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }
}
