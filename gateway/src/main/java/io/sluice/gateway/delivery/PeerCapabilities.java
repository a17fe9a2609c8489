package io.sluice.gateway.delivery;

import java.util.Locale;

/**
 * What a remote server announced in its EHLO reply (RFC 5321 4.1.1.1). HELO peers announce nothing.
 *
 * @param maxSizeBytes SIZE limit (RFC 1870): -1 when SIZE is not offered, 0 when offered without a limit
 */
record PeerCapabilities(boolean isEsmtp, boolean hasPipelining, long maxSizeBytes, boolean has8BitMime,
                        boolean hasSmtpUtf8, boolean hasChunking, boolean hasBinaryMime, boolean hasStartTls,
                        boolean hasDsn) {

    static final PeerCapabilities HELO_ONLY =
        new PeerCapabilities(false, false, -1, false, false, false, false, false, false);

    /** Parses the EHLO reply lines after the first (the greeting line carries the server's name). */
    static PeerCapabilities parse(SmtpReply ehlo) {
        boolean pipelining = false;
        boolean eightBit = false;
        boolean utf8 = false;
        boolean chunking = false;
        boolean binary = false;
        boolean startTls = false;
        boolean dsn = false;
        long size = -1;
        for (int i = 1; i < ehlo.lines().size(); i++) {
            String line = ehlo.lines().get(i).trim().toUpperCase(Locale.ROOT);
            int sp = line.indexOf(' ');
            String keyword = sp < 0 ? line : line.substring(0, sp);
            switch (keyword) {
                case "PIPELINING" -> pipelining = true;
                case "8BITMIME" -> eightBit = true;
                case "SMTPUTF8" -> utf8 = true;
                case "CHUNKING" -> chunking = true;
                case "BINARYMIME" -> binary = true;
                case "STARTTLS" -> startTls = true;
                case "DSN" -> dsn = true;
                case "SIZE" -> size = parseSize(sp < 0 ? "" : line.substring(sp + 1).trim());
                default -> {
                }
            }
        }
        return new PeerCapabilities(true, pipelining, size, eightBit, utf8, chunking, binary, startTls, dsn);
    }

    private static long parseSize(String arg) {
        if (arg.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(arg));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** True when a message of {@code bytes} is within the peer's announced SIZE limit (or it has none). */
    boolean accepts(long bytes) {
        return maxSizeBytes <= 0 || bytes <= maxSizeBytes;
    }
}
