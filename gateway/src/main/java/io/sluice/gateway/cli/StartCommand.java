package io.sluice.gateway.cli;

import io.sluice.gateway.Gateway;
import io.sluice.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code sluice start}: runs the gateway in the foreground until SIGINT/SIGTERM, then shuts down gracefully. */
final class StartCommand {

    private static final Logger LOG = LoggerFactory.getLogger(StartCommand.class);

    int run(List<String> args, PrintStream out, PrintStream err) {
        ConfigArgs configArgs = new ConfigArgs();
        List<String> rest = configArgs.parse(args);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println("usage: sluice start " + ConfigArgs.USAGE);
            out.println("Runs the gateway in the foreground; Ctrl-C or SIGTERM shuts it down gracefully.");
            out.println("Defaults: SMTP 127.0.0.1:2525, POP3 127.0.0.1:1110, spool ./data/spool; every key is in reference.conf.");
            return Main.EXIT_OK;
        }
        if (!rest.isEmpty()) {
            throw new UsageException("unexpected argument '" + rest.get(0) + "'; usage: sluice start " + ConfigArgs.USAGE);
        }
        GatewayConfig config = configArgs.load();
        LOG.info("effective config: {}", config);
        Gateway gateway = new Gateway(config);
        try {
            gateway.start();
        } catch (UncheckedIOException e) {
            err.println("sluice: cannot start: " + e.getCause().getMessage());
            return Main.EXIT_FAILURE;
        } catch (IllegalStateException e) {
            err.println("sluice: cannot start: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            gateway.close();
            LOG.info("stopped");
            stopped.countDown();
        }, "shutdown"));
        LOG.info("sluice ready: {}", gateway.describeListeners());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.EXIT_OK;
    }
}
