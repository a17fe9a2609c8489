package io.sluice.load;

import io.sluice.load.cli.UsageException;
import io.sluice.load.generator.GeneratorMain;
import io.sluice.load.generator.GeneratorOptions;
import io.sluice.load.sink.SinkMain;
import io.sluice.load.sink.SinkOptions;

/**
 * Entry point behind {@code ./sluice load} and {@code ./sluice sink}: {@code args[0]} picks the tool, the rest are
 * its options. A bad command line prints one error line and the usage, exit code 2.
 */
public final class LoadMain {

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        String tool = args.length > 0 ? args[0] : "";
        int code;
        try {
            code = switch (tool) {
                case "load" -> {
                    GeneratorOptions o = GeneratorOptions.parse(args, 1);
                    if (o == null) {
                        System.out.println(GeneratorOptions.USAGE);
                        yield 0;
                    }
                    yield GeneratorMain.run(o);
                }
                case "sink" -> {
                    SinkOptions o = SinkOptions.parse(args, 1);
                    if (o == null) {
                        System.out.println(SinkOptions.USAGE);
                        yield 0;
                    }
                    yield SinkMain.run(o);
                }
                default -> {
                    System.err.println("usage: LoadMain load|sink [options]   (./sluice load --help, ./sluice sink --help)");
                    yield 2;
                }
            };
        } catch (UsageException e) {
            System.err.println("sluice " + tool + ": " + e.getMessage());
            System.err.println("(./sluice " + tool + " --help lists the options)");
            code = 2;
        }
        System.exit(code);
    }
}
