package io.sluice.gateway.delivery;

/**
 * Where the recipients of one domain go next.
 *
 * @param key     the destination's name: its queue, its counters and its line in the queue CLI, e.g.
 *                {@code example.org} (MX routing), {@code [10.0.0.5]:25} (a bracketed next hop) or
 *                {@code local}
 * @param host    the next-hop host: a domain to look up MX for, or (when {@code skipMx}) a host name or address
 * @param port    TCP port of the next hop
 * @param skipMx  true for {@code [host]}: connect to the host's own addresses, no MX lookup
 * @param isLocal true for local domains: handed to the {@link LocalTransport}
 */
record Route(String key, String host, int port, boolean skipMx, boolean isLocal) {

    static final Route LOCAL = new Route("local", "", 0, true, true);
}
