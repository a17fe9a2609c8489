/**
 * The SMTP load generator behind {@code ./sluice load}: N sessions, each one virtual thread with one blocking
 * connection ({@link io.sluice.load.generator.ClientConnection}), sending messages built in place by {@link
 * io.sluice.load.generator.MessageWriter} (with an {@code X-Sluice-Load-Ts} header the sink turns into end-to-end
 * latency).
 *
 * <p>Open model when {@code --rate} is given: {@link io.sluice.load.generator.Schedule} fixes every message's
 * intended send time up front (start + k/rate); a session claims the next slot, waits for its time, sends, and
 * records latency from the intended time, not from when it actually got round to sending. When the server stalls,
 * the backlog shows up as latency instead of silently lowering the offered rate (coordinated omission; see
 * HdrHistogram's package-info, "Raw vs. corrected recording": we correct by construction, recording one value
 * per message from its scheduled time, so no synthetic values are added). Without {@code --rate} the model is
 * closed (each session sends as fast as replies come back) and latency is service time only: good for finding the
 * ceiling, blind to stalls.
 *
 * <p>Expected failures (4xx/5xx replies, refused connects, hang-ups, timeouts) are counted in {@link
 * io.sluice.load.generator.GeneratorStats} and never stop the run. Every run is bounded by a count or a
 * duration, both capped.
 */
package io.sluice.load.generator;
