/** The command line: {@link io.sluice.gateway.cli.Main} and one class per subcommand. */
package io.sluice.gateway.cli;
