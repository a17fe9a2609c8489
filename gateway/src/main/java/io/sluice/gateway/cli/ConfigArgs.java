package io.sluice.gateway.cli;

import io.sluice.gateway.config.ConfigLoader;
import io.sluice.gateway.config.GatewayConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every config-reading subcommand shares: {@code --config FILE} and {@code --set key=value}.
 * {@link #parse} consumes them and returns the remaining arguments.
 */
final class ConfigArgs {

    static final String USAGE = "[--config FILE] [--set key=value ...]";

    private Path file;
    private final List<String> overrides = new ArrayList<>();

    List<String> parse(List<String> args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config") || a.equals("--set")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a value");
                }
                String v = args.get(++i);
                if (a.equals("--config")) {
                    file = Path.of(v);
                } else {
                    overrides.add(v);
                }
            } else if (a.startsWith("--config=")) {
                file = Path.of(a.substring("--config=".length()));
            } else if (a.startsWith("--set=")) {
                overrides.add(a.substring("--set=".length()));
            } else {
                rest.add(a);
            }
        }
        return rest;
    }

    GatewayConfig load() {
        return ConfigLoader.load(file, overrides);
    }
}
