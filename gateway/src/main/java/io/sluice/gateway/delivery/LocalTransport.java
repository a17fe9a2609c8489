package io.sluice.gateway.delivery;

import io.sluice.spool.MessageBody;
import io.sluice.spool.SpoolEntry;

import java.util.List;

/**
 * Delivers a spooled message to local mailboxes. Implemented by the local package (Maildir); called by the
 * delivery agent on a delivery virtual thread for the recipients whose domain is local. Blocking I/O is fine.
 */
public interface LocalTransport {

    /**
     * Delivers {@code body} to each listed recipient's mailbox and returns one result per listed index. Must not
     * throw for expected conditions (unknown user: BOUNCED 550 5.1.1; over quota or disk trouble: DEFERRED 4xx).
     */
    List<DeliveryResult> deliver(SpoolEntry entry, MessageBody body, List<Integer> recipientIndexes);
}
