package io.sluice.gateway.smtp;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Verb recognition for one command line: the folded-int table ({@link CommandLine#wrap}, no String) against a JDK
 * baseline that makes a String, splits off the verb and upper-cases it. Edge cases: the first table entry, a
 * late entry, the 8-letter STARTTLS, and an unknown verb (the whole table scanned).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class CommandParserBenchmark {

    @Param({"HELO client.example", "rcpt TO:<user@example.org>", "STARTTLS", "XYZW something"})
    String line;

    private byte[] bytes;
    private final CommandLine commandLine = new CommandLine();

    @Setup
    public void setup() {
        bytes = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public SmtpCommand foldedIntTable() {
        return commandLine.wrap(bytes, 0, bytes.length - 2);
    }

    @Benchmark
    public SmtpCommand jdkStringSplit() {
        String s = new String(bytes, 0, bytes.length - 2, StandardCharsets.US_ASCII);
        int sp = s.indexOf(' ');
        String verb = (sp < 0 ? s : s.substring(0, sp)).toUpperCase(Locale.ROOT);
        try {
            return SmtpCommand.valueOf(verb);
        } catch (IllegalArgumentException e) {
            return SmtpCommand.UNKNOWN;
        }
    }
}
