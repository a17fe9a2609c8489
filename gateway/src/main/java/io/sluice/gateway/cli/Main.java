package io.sluice.gateway.cli;

import io.sluice.gateway.config.ConfigException;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point behind {@code ./sluice start|queue|user}. Exit codes: 0 ok, 1 runtime failure, 2 usage or config
 * error (one line on stderr, never a stack trace).
 */
public final class Main {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != EXIT_OK || !"start".equals(args.length > 0 ? args[0] : "")) {
            System.exit(code);
        }
    }

    /** Runs one subcommand; returns the exit code. {@code start} returns after shutdown. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("sluice: missing command; usage: sluice {start|queue|user} [--help]");
            return EXIT_USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "start" -> new StartCommand().run(rest, out, err);
                case "queue" -> new QueueCommand().run(rest, out, err);
                case "user" -> new UserCommand().run(rest, out, err);
                default -> {
                    err.println("sluice: unknown command '" + args[0] + "'; usage: sluice {start|queue|user} [--help]");
                    yield EXIT_USAGE;
                }
            };
        } catch (UsageException e) {
            err.println("sluice " + args[0] + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (ConfigException e) {
            err.println("sluice: config: " + e.getMessage());
            return EXIT_USAGE;
        }
    }
}
