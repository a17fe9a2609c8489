/**
 * Outbound delivery: takes committed messages from the spool, routes each recipient (local transport, relayhost,
 * transport map, MX), keeps per-destination queues and connection caches, retries with backoff and sends DSN
 * bounces. The receiver never imports this package; the only hand-off is the spool.
 */
package io.sluice.gateway.delivery;
