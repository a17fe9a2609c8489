package io.sluice.gateway.it;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: the real gateway ({@code Main start}) in a forked JVM with the test's classpath and the
 * Chronicle flags this JVM was started with, so a test can kill it with SIGKILL and start it again.
 */
final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int smtpPort;

    private GatewayProcess(Process process, Path log, int smtpPort) {
        this.process = process;
        this.log = log;
        this.smtpPort = smtpPort;
    }

    /** Starts {@code Main start --set ...} and waits until its SMTP port answers with a 220 banner. */
    static GatewayProcess start(Path workDir, int smtpPort, List<String> settings) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                || arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable.perf")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.sluice.gateway.cli.Main");
        cmd.add("start");
        cmd.add("--set");
        cmd.add("smtp.port=" + smtpPort);
        for (String s : settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        Path log = Files.createTempFile(workDir, "gateway", ".log");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        GatewayProcess g = new GatewayProcess(p, log, smtpPort);
        g.awaitBanner(Duration.ofSeconds(60));
        return g;
    }

    private void awaitBanner(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), smtpPort)) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                byte[] b = new byte[3];
                if (in.readNBytes(b, 0, 3) == 3 && new String(b, StandardCharsets.US_ASCII).equals("220")) {
                    s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("gateway did not greet within " + timeout + ":\n" + output());
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by the JVM. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for a graceful exit; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
