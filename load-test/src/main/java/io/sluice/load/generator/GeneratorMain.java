package io.sluice.load.generator;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code ./sluice load}: one run, progress on stderr, summary and RESULT line on stdout. */
public final class GeneratorMain {

    private GeneratorMain() {
    }

    /** @return exit code: 0, or 1 when not a single message (or hold session) succeeded */
    public static int run(GeneratorOptions o) throws InterruptedException {
        LoadGenerator g = new LoadGenerator(o, System.err);
        CountDownLatch reported = new CountDownLatch(1);
        // SIGINT/SIGTERM: stop offering messages, let in-flight ones finish (bounded by the reply timeout), and
        // hold the JVM's exit until the summary is out, so an interrupted run still reports what it measured.
        Thread hook = new Thread(() -> {
            g.stop();
            try {
                reported.await(o.timeoutMs() + 15_000L, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        LoadGenerator.Result r = g.run();
        g.printSummary(r, System.out);
        reported.countDown();
        return (o.isHold() ? r.holdEstablished() : r.ok()) > 0 ? 0 : 1;
    }
}
