package io.sluice.gateway.delivery;

import io.sluice.spool.RecipientState;

/**
 * The outcome of one delivery attempt for one recipient, as a transport reports it.
 *
 * @param recipientIndex index into the spooled envelope's recipients
 * @param state          {@link RecipientState#DELIVERED}, {@link RecipientState#DEFERRED} (temporary: try again
 *                       later) or {@link RecipientState#BOUNCED} (permanent)
 * @param reply          the remote reply or local diagnostic with its code, e.g. {@code 250 2.0.0 Ok} or
 *                       {@code 452 4.2.2 mailbox over quota}; goes into the queue CLI and DSNs
 */
public record DeliveryResult(int recipientIndex, RecipientState state, String reply) {

    public DeliveryResult {
        if (state != RecipientState.DELIVERED && state != RecipientState.DEFERRED && state != RecipientState.BOUNCED) {
            throw new IllegalArgumentException("a transport reports DELIVERED, DEFERRED or BOUNCED, not " + state);
        }
    }
}
