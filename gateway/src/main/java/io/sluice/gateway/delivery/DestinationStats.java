package io.sluice.gateway.delivery;

/**
 * A point-in-time view of one destination's counters, for the queue CLI and status output.
 *
 * @param destination       the destination's name: a domain ({@code example.org}, MX routing), a configured next
 *                          hop ({@code [10.0.0.5]:25}) or {@code local}
 * @param queuedRecipients  recipients waiting in the destination's queue now (not counting deferred ones waiting
 *                          for their retry time)
 * @param activeConnections open connections (busy or cached idle) opened for this destination
 * @param delivered         recipients delivered since start
 * @param deferred          temporary failures since start (one per recipient per attempt)
 * @param bounced           recipients bounced or expired since start
 */
public record DestinationStats(String destination, long queuedRecipients, int activeConnections, long delivered,
                               long deferred, long bounced) {
}
