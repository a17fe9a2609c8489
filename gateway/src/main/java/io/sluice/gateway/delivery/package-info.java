/**
 * Outbound delivery: takes committed messages from the spool, routes each recipient (local transport, relayhost,
 * transport map, MX), keeps per-destination queues and connection caches, retries with backoff and sends DSN
 * bounces. The receiver never imports this package; the only hand-off is the spool.
 *
 * <p>Flow: {@link io.sluice.gateway.delivery.DeliveryAgent} (the spool's commit listener) groups a message's
 * recipients by {@code Router} route into {@code Job}s of at most {@code delivery.recipients-per-transaction};
 * each {@code Destination} (one per next hop) drains its queue on at most
 * {@code delivery.connections-per-destination} virtual threads; an {@code Attempt} resolves the next hop
 * ({@code MxResolver}, dnsjava), takes a connection from the {@code ConnectionCache} or opens a
 * {@code RemoteSmtpClient}, and runs one pipelined transaction ({@code CommandEncoder} writes MAIL, RCPTs and DATA
 * in one buffer). Outcomes go back to the spool; temporary failures are re-queued by the {@code RetryTimer} on the
 * {@code RetrySchedule}; failures of one dispatch become one RFC 3464 DSN ({@code DsnBuilder},
 * {@code BounceSender}), spooled like any other message.
 *
 * <p>Known compromises (XXX):
 * <ul>
 *   <li>No "delayed" DSNs are generated (NOTIFY=DELAY is passed on to DSN-capable peers only); the builder
 *       supports the action, the agent would need a warning time per message.</li>
 *   <li>A body write has one deadline ({@code data-block-timeout} plus one second per 64 KB), not one per block,
 *       to keep the zero-copy {@code transferTo} path. Command writes and reads have the command timeout.</li>
 *   <li>An 8BITMIME body to a peer without 8BITMIME is sent unconverted, as Postfix does by default.</li>
 *   <li>No client certificate is presented; {@code tls.*} is not used for outbound TLS.</li>
 *   <li>A 5xx greeting or EHLO/HELO refusal from every MX defers (Postfix bounces some of those).</li>
 * </ul>
 */
package io.sluice.gateway.delivery;
