package io.sluice.load.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a server it shares no code with: Postfix's smtp-sink (Debian package postfix; installed
 * by {@code ./sluice test}). smtp-sink ignores our timestamp header, so only counts are compared: the generator's
 * 250s against smtp-sink's own message counter ({@code -c}).
 */
@Timeout(120)
class GeneratorAgainstPostfixSinkTest {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    private static final Pattern MESSAGES = Pattern.compile("mesg=(\\d+)");

    @Test
    void shouldDeliverEveryMessageToPostfixSmtpSink(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(SMTP_SINK), "Postfix smtp-sink not installed (./sluice test installs it)");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path out = tmp.resolve("smtp-sink.out");
        ProcessBuilder pb = new ProcessBuilder(SMTP_SINK.toString(), "-c", "-u", "nobody", "127.0.0.1:" + port,
                "256").redirectErrorStream(true).redirectOutput(out.toFile());
        Process sink = pb.start();
        try {
            awaitListening(port, sink);
            GeneratorOptions o = GeneratorOptions.parse(new String[] {"--target", "127.0.0.1:" + port,
                    "--sessions", "6", "--count", "300", "--size", "1k-10k", "--recipients", "2", "--progress", "off",
                    "--timeout", "30s"}, 0);
            LoadGenerator.Result r = new LoadGenerator(o, null).run();
            assertEquals(300, r.ok(), "reply codes " + r.replyCodes());
            assertEquals(0, r.failed());
            assertTrue(r.accept().getTotalCount() == 300 && r.accept().getMaxValue() > 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long counted = -1;
            while (System.nanoTime() < deadline) {
                counted = lastCount(out);
                if (counted >= 300) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(300, counted, "smtp-sink's own count; its output: " + Files.readString(out));
        } finally {
            sink.destroy();
            if (!sink.waitFor(10, TimeUnit.SECONDS)) {
                sink.destroyForcibly();
            }
        }
    }

    private static long lastCount(Path out) throws IOException {
        Matcher m = MESSAGES.matcher(Files.readString(out));
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    private static void awaitListening(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "smtp-sink exited early");
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("smtp-sink did not listen on " + port);
    }
}
