package io.sluice.gateway.cli;

import io.sluice.gateway.config.GatewayConfig;

import java.io.PrintStream;
import java.util.List;

/** {@code sluice start}: runs the gateway in the foreground until SIGINT/SIGTERM. */
final class StartCommand {

    int run(List<String> args, PrintStream out, PrintStream err) {
        ConfigArgs configArgs = new ConfigArgs();
        List<String> rest = configArgs.parse(args);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println("usage: sluice start " + ConfigArgs.USAGE);
            out.println("Runs the gateway in the foreground; Ctrl-C or SIGTERM shuts it down gracefully.");
            return Main.EXIT_OK;
        }
        if (!rest.isEmpty()) {
            throw new UsageException("unexpected argument '" + rest.get(0) + "'; usage: sluice start " + ConfigArgs.USAGE);
        }
        GatewayConfig config = configArgs.load();
        out.println("sluice: effective config: " + config);
        err.println("sluice: the gateway is not wired yet");
        return Main.EXIT_FAILURE;
    }
}
