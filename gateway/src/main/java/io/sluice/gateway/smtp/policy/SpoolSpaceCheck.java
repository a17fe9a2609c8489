package io.sluice.gateway.smtp.policy;

import io.sluice.gateway.smtp.Replies;
import io.sluice.spool.Spool;

/**
 * Before 354 (and before the first BDAT chunk): can the spool take this message and keep its free-space reserve?
 * Postfix's {@code smtpd_check_queue}: refuse with 452 4.3.1 rather than take a body we could not store.
 */
public final class SpoolSpaceCheck {

    private static final Verdict FULL = Verdict.tempfail(Replies.NO_SPACE_452);
    private final Spool spool;

    public SpoolSpaceCheck(Spool spool) {
        this.spool = spool;
    }

    /** @param declaredBytes MAIL SIZE when given, else 0 (the spool's reserve still applies) */
    public Verdict check(long declaredBytes) {
        return spool.hasSpaceFor(declaredBytes) ? Verdict.ACCEPT : FULL;
    }
}
