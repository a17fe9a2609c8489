package io.sluice.gateway.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code sluice queue}: spool inspection for operators. */
final class QueueCommand {

    int run(List<String> args, PrintStream out, PrintStream err) {
        throw new UsageException("not available yet");
    }
}
