package io.sluice.gateway.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the real ./sluice launcher against fake JDK directories to check how it picks a JDK. */
@Timeout(60)
class LauncherTest {

    private static final Path LAUNCHER = Path.of("..", "sluice").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Result(int exitCode, String stdout, String stderr) {
    }

    @Test
    void shouldSkipOldJavaHomeAndPickNewestJdk21PlusFromJvmDir() throws Exception {
        Path old = fakeJdk("old", "17.0.15");
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        fakeJdkIn(jvms, "jdk-21", "21.0.4");
        Path newest = fakeJdkIn(jvms, "jdk-24", "24.0.1");
        fakeJdkIn(jvms, "jdk-11", "11.0.2");
        Result r = run(Map.of("JAVA_HOME", old.toString(), "SLUICE_JVM_DIR", jvms.toString()), "java-home");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(newest.toString(), r.stdout().trim());
        assertTrue(r.stderr().contains("is not a JDK 21+"), r.stderr());
    }

    @Test
    void shouldUseJavaHomeWhenItIs21OrNewer() throws Exception {
        Path jdk21 = fakeJdk("mine", "21");
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        fakeJdkIn(jvms, "jdk-25", "25");
        Result r = run(Map.of("JAVA_HOME", jdk21.toString(), "SLUICE_JVM_DIR", jvms.toString()), "java-home");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(jdk21.toString(), r.stdout().trim());
    }

    @Test
    void shouldReadVersionFromJavaWhenThereIsNoReleaseFile() throws Exception {
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        Path jdk = fakeJdkIn(jvms, "no-release", "22.0.1");
        Files.delete(jdk.resolve("release"));
        Result r = run(Map.of("JAVA_HOME", "", "SLUICE_JVM_DIR", jvms.toString()), "java-home");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(jdk.toString(), r.stdout().trim());
    }

    @Test
    void shouldExplainWhatToInstallWhenNoJdkQualifies() throws Exception {
        Path old = fakeJdk("old", "1.8.0_392");
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        fakeJdkIn(jvms, "jdk-17", "17.0.1");
        Result r = run(Map.of("JAVA_HOME", old.toString(), "SLUICE_JVM_DIR", jvms.toString()), "java-home");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("no JDK 21 or newer found"), r.stderr());
        assertTrue(r.stderr().contains("apt-get install openjdk-21-jdk-headless"), r.stderr());
    }

    @Test
    void shouldRejectUnknownCommandWithUsageAndExit2() throws Exception {
        Result r = run(Map.of(), "frobnicate");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("unknown command 'frobnicate'"), r.stderr());
        assertTrue(r.stderr().contains("usage:"), r.stderr());
    }

    @Test
    void shouldPrintUsageForHelp() throws Exception {
        Result r = run(Map.of(), "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.stdout().contains("start") && r.stdout().contains("test"), r.stdout());
    }

    private Path fakeJdk(String name, String version) throws IOException {
        return fakeJdkIn(dir, name, version);
    }

    /** A directory that looks like a JDK: a release file and bin/java, bin/javac scripts that print the version. */
    private static Path fakeJdkIn(Path parent, String name, String version) throws IOException {
        Path home = Files.createDirectories(parent.resolve(name));
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        String script = "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-01-01' >&2\n";
        for (String tool : new String[] {"java", "javac"}) {
            Path p = bin.resolve(tool);
            Files.writeString(p, script);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    private static Result run(Map<String, String> env, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = LAUNCHER.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
