/**
 * Load testing for Sluice, deliberately independent of the gateway module (a client sharing the server's parser
 * agrees with its bugs). {@link io.sluice.load.LoadMain} dispatches to the generator ({@code generator}) and the
 * sink ({@code sink}); {@code report} records latencies in HdrHistogram; {@code cli} parses options and refuses
 * any non-loopback address.
 */
package io.sluice.load;
