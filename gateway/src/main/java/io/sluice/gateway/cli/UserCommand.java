package io.sluice.gateway.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code sluice user}: local users and their password hashes. */
final class UserCommand {

    int run(List<String> args, PrintStream out, PrintStream err) {
        throw new UsageException("not available yet");
    }
}
