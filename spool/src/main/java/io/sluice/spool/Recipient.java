package io.sluice.spool;

/**
 * One envelope recipient with its RFC 3461 DSN parameters, as accepted at RCPT time (after alias and list
 * expansion, so {@code address} is a final destination).
 *
 * @param address  the forward-path without angle brackets, e.g. {@code user@example.org}
 * @param orcpt    the ORCPT parameter as received ({@code rfc822;user@example.org}), or the address the
 *                 client gave when alias expansion produced this recipient; {@code null} when neither applies
 * @param notifyFlags bit set of {@link #NOTIFY_SUCCESS}, {@link #NOTIFY_FAILURE}, {@link #NOTIFY_DELAY};
 *                 {@link #NOTIFY_NEVER} alone means NOTIFY=NEVER; {@link #NOTIFY_DEFAULT} when absent
 */
public record Recipient(String address, String orcpt, int notifyFlags) {

    public static final int NOTIFY_NEVER = 0;
    public static final int NOTIFY_SUCCESS = 1;
    public static final int NOTIFY_FAILURE = 2;
    public static final int NOTIFY_DELAY = 4;
    /** RFC 3461 4.1: without NOTIFY, behave as if NOTIFY=FAILURE,DELAY. */
    public static final int NOTIFY_DEFAULT = NOTIFY_FAILURE | NOTIFY_DELAY;

    public Recipient {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("recipient address is empty");
        }
        if ((notifyFlags & ~(NOTIFY_SUCCESS | NOTIFY_FAILURE | NOTIFY_DELAY)) != 0) {
            throw new IllegalArgumentException("bad notify bits: " + notifyFlags);
        }
    }

    public static Recipient of(String address) {
        return new Recipient(address, null, NOTIFY_DEFAULT);
    }

    /** The domain part after the last '@' (lower-cased), or the empty string for a bare local part. */
    public String domain() {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
