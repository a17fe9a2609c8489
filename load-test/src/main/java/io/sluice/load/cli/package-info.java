/**
 * Command-line plumbing shared by the generator and the sink: {@link io.sluice.load.cli.Args} (the
 * {@code --key value} map), {@link io.sluice.load.cli.Units} (sizes, durations, rates) and
 * {@link io.sluice.load.cli.Loopback}, which refuses any address off this machine before a socket is opened.
 * Nothing here touches the network.
 */
package io.sluice.load.cli;
