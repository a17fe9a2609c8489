package io.sluice.gateway.delivery;

import io.sluice.spool.RecipientState;

/**
 * What one attempt did for one recipient, with the host that said so (null for local and DNS diagnostics).
 * The delivery-side twin of {@link DeliveryResult}, which has no room for the remote MTA a DSN reports.
 *
 * @param isDsnPassedOn the next hop took the DSN parameters (it offers DSN): success notifications are its job
 *                      now (RFC 3461 5.2.2), so we send no "relayed" DSN
 */
record Outcome(int recipientIndex, RecipientState state, String reply, String remoteMta, boolean isDsnPassedOn) {

    Outcome(int recipientIndex, RecipientState state, String reply, String remoteMta) {
        this(recipientIndex, state, reply, remoteMta, false);
    }

    static Outcome of(DeliveryResult r, String remoteMta, boolean isDsnPassedOn) {
        return new Outcome(r.recipientIndex(), r.state(), r.reply(), remoteMta, isDsnPassedOn);
    }
}
