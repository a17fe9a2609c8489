package io.sluice.gateway.delivery;

import io.sluice.spool.SpoolEntry;

/**
 * One transaction's worth of work for one destination: some recipients of one message (at most
 * {@code delivery.recipients-per-transaction}), all routed the same way.
 */
record Job(SpoolEntry entry, int[] recipientIndexes, Route route, Batch batch) {
}
