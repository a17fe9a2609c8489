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
import java.util.concurrent.TimeUnit;

/**
 * End-of-data detection over a 64 KiB DATA body presented in 4 KiB reads (the connection's buffer size), as
 * {@code DataReceiver} does: {@link DataScanner} against a JDK baseline (a String per read, {@code indexOf} of
 * CRLF.CRLF, no bare-LF or line-length checks, so it does less work). Edge cases: plain 76-octet text lines, every
 * line dot-stuffed, 998-octet lines, and very short lines (a CRLF every few bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class DataScannerBenchmark {

    private static final int BODY_BYTES = 64 * 1024;
    private static final int READ_BYTES = 4096;

    @Param({"text76", "dotStuffed", "lines998", "short4"})
    String shape;

    private byte[] wire;
    private final DataScanner scanner = new DataScanner();

    @Setup
    public void setup() {
        String line = switch (shape) {
            case "text76" -> "x".repeat(76);
            case "dotStuffed" -> ".." + "x".repeat(74);
            case "lines998" -> "y".repeat(998);
            case "short4" -> "abcd";
            default -> throw new IllegalArgumentException(shape);
        };
        StringBuilder sb = new StringBuilder(BODY_BYTES + 1024);
        while (sb.length() < BODY_BYTES) {
            sb.append(line).append("\r\n");
        }
        sb.append(".\r\n");
        wire = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Benchmark
    public int dataScanner() {
        scanner.reset();
        int pos = 0;
        while (pos < wire.length) {
            int to = Math.min(wire.length, pos + READ_BYTES);
            int stop = scanner.scan(wire, pos, to);
            if (scanner.isEnded()) {
                return stop;
            }
            pos = stop == pos ? to : stop; // held-back bytes: present them again with the next read
        }
        return -1;
    }

    @Benchmark
    public int jdkStringIndexOf() {
        // Baseline: keep the last 4 bytes of the previous read so a terminator across reads is found.
        int pos = 0;
        while (pos < wire.length) {
            int from = Math.max(0, pos - 4);
            int to = Math.min(wire.length, pos + READ_BYTES);
            String s = new String(wire, from, to - from, StandardCharsets.ISO_8859_1);
            int i = s.indexOf("\r\n.\r\n");
            if (i >= 0) {
                return from + i + 5;
            }
            pos = to;
        }
        return -1;
    }
}
