package io.sluice.spool;

/**
 * A spooled message's identity: a positive 64-bit value, unique within one spool directory and increasing in
 * the order messages were begun. Printed as 16 lower-case hex digits, which is what operators see in
 * {@code 250 2.0.0 Ok: queued as <id>}, in logs and in the queue CLI.
 */
public record MessageId(long value) implements Comparable<MessageId> {

    public MessageId {
        if (value <= 0) {
            throw new IllegalArgumentException("message id must be positive: " + value);
        }
    }

    /** Parses the 16-hex-digit form produced by {@link #toString()}; throws IllegalArgumentException otherwise. */
    public static MessageId parse(CharSequence hex) {
        if (hex.length() == 0 || hex.length() > 16) {
            throw new IllegalArgumentException("not a message id: " + hex);
        }
        return new MessageId(Long.parseUnsignedLong(hex.toString(), 16));
    }

    /** Writes the 16 hex digits as ASCII into {@code dst} at {@code offset}, without allocating. */
    public void writeHex(byte[] dst, int offset) {
        for (int i = 15; i >= 0; i--) {
            int nibble = (int) ((value >>> ((15 - i) * 4)) & 0xF);
            dst[offset + i] = (byte) (nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
        }
    }

    @Override
    public int compareTo(MessageId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        byte[] hex = new byte[16];
        writeHex(hex, 0);
        return new String(hex, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
