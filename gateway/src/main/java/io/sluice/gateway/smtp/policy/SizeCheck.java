package io.sluice.gateway.smtp.policy;

import io.sluice.gateway.smtp.Replies;

/** MAIL FROM SIZE= against {@code smtp.max-message-size} (RFC 1870 6: refuse early with 552 5.3.4). */
public final class SizeCheck {

    private final Verdict tooBig = Verdict.reject(Replies.MESSAGE_TOO_BIG_552);
    private final long maxMessageBytes;

    public SizeCheck(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** @param declaredBytes the SIZE parameter, or 0 when absent */
    public Verdict check(long declaredBytes) {
        return declaredBytes > maxMessageBytes ? tooBig : Verdict.ACCEPT;
    }
}
