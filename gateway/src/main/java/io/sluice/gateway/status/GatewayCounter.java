package io.sluice.gateway.status;

import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters, one per (id, label) pair as Aeron's {@code SystemCounterDescriptor}. Process-wide; any
 * thread may increment (a {@link LongAdder}: no contention between sessions, no allocation after startup).
 * Tests compare values before and after, since every server in the JVM shares them.
 */
public enum GatewayCounter {
    SMTP_CONNECTIONS_ACCEPTED(1, "SMTP connections accepted"),
    SMTP_CONNECTIONS_REFUSED(2, "SMTP connections refused over a connection limit"),
    SMTP_MESSAGES_ACCEPTED(3, "SMTP messages accepted (250 after DATA/BDAT LAST)"),
    SMTP_MESSAGES_REFUSED(4, "SMTP messages refused after DATA/BDAT"),
    SMTP_BYTES_RECEIVED(5, "SMTP message bytes appended to the spool"),
    SMTP_COMMAND_ERRORS(6, "SMTP commands answered with 5xx for syntax or sequence"),
    SMTP_TIMEOUTS(7, "SMTP sessions closed by a timeout"),
    SMTP_DISCONNECTS(8, "SMTP sessions lost without QUIT"),
    SMTP_DISCONNECTS_IN_DATA(9, "SMTP sessions lost during DATA/BDAT (message aborted)"),
    SMTP_TOO_MANY_ERRORS(10, "SMTP sessions closed after too many errors"),
    SMTP_LINES_TOO_LONG(11, "SMTP command lines over 512 octets"),
    SMTP_BARE_LINE_ENDINGS(12, "SMTP bare CR or LF refused (smuggling guard)"),
    SMTP_RELAY_DENIED(13, "SMTP recipients refused as relay attempts"),
    SMTP_UNKNOWN_RECIPIENTS(14, "SMTP recipients refused as unknown local users"),
    SMTP_TLS_HANDSHAKES(15, "SMTP TLS handshakes completed"),
    SMTP_TLS_FAILURES(16, "SMTP TLS handshakes failed"),
    SMTP_TLS_INJECTION_DISCARDED(17, "SMTP plaintext bytes pipelined after STARTTLS and discarded"),
    SMTP_AUTH_SUCCESSES(18, "SMTP AUTH successes"),
    SMTP_AUTH_FAILURES(19, "SMTP AUTH failures"),
    SMTP_SPOOL_FAILURES(20, "SMTP messages refused because the spool failed or was full"),
    SMTP_INTERNAL_ERRORS(21, "SMTP sessions ended by an unexpected exception (a bug)");

    private final int id;
    private final String label;
    private final LongAdder value = new LongAdder();

    GatewayCounter(int id, String label) {
        this.id = id;
        this.label = label;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    public void increment() {
        value.increment();
    }

    public void add(long n) {
        value.add(n);
    }

    public long get() {
        return value.sum();
    }
}
