package io.sluice.gateway.delivery;

import io.sluice.spool.RecipientState;

/**
 * What one attempt did for one recipient, with the host that said so (null for local and DNS diagnostics).
 * The delivery-side twin of {@link DeliveryResult}, which has no room for the remote MTA a DSN reports.
 */
record Outcome(int recipientIndex, RecipientState state, String reply, String remoteMta) {

    static Outcome of(DeliveryResult r, String remoteMta) {
        return new Outcome(r.recipientIndex(), r.state(), r.reply(), remoteMta);
    }
}
