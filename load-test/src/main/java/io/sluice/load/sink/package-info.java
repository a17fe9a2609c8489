/**
 * The accept-all SMTP sink behind {@code ./sluice sink}: the far end of every load run. {@link
 * io.sluice.load.sink.SinkServer} accepts on a loopback port and gives each connection one virtual thread running
 * {@link io.sluice.load.sink.SinkConnection}: blocking I/O over one fixed read buffer and one output buffer,
 * commands matched as case-folded ints, replies pre-encoded, replies flushed only before the next blocking read
 * (so a pipelined group gets one write). DATA is scanned in place for the end-of-data line and for the
 * {@code X-Sluice-Load-Ts} header, whose timestamp gives end-to-end latency; no String is made per line. CHUNKING
 * (RFC 3030 BDAT, on unless {@code --chunking off}) takes exactly the announced octets, with the same header scan
 * carried across chunks by {@link io.sluice.load.sink.ChunkedMessage}.
 * {@link io.sluice.load.sink.SinkStats} holds the counters; {@link io.sluice.load.sink.SinkMain} the command line.
 */
package io.sluice.load.sink;
