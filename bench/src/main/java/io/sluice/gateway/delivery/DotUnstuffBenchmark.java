package io.sluice.gateway.delivery;

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
 * What sending a spooled (dot-stuffed) body by BDAT adds per message: {@link DotStuffer#unstuffInPlace} over a
 * 5 KB message of 76-octet lines, with no line starting with a dot (the usual case: one read-only pass) or with
 * every seventh one (every byte after the first is moved). Each call first restores the stuffed copy, which the
 * {@code restoreOnly} baseline measures alone.
 *
 * <pre>./sluice bench DotUnstuff</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class DotUnstuffBenchmark {

    @Param({"false", "true"})
    boolean dotLines;

    private byte[] stuffed;
    private byte[] work;

    @Setup
    public void setUp() {
        StringBuilder sb = new StringBuilder();
        for (int line = 0; sb.length() < 5_120; line++) {
            sb.append(dotLines && line % 7 == 3 ? ".." : "").append("x".repeat(74)).append("\r\n");
        }
        stuffed = sb.toString().getBytes(StandardCharsets.US_ASCII);
        work = new byte[stuffed.length];
    }

    @Benchmark
    public int unstuff() {
        System.arraycopy(stuffed, 0, work, 0, stuffed.length);
        return DotStuffer.unstuffInPlace(work, 0, work.length);
    }

    @Benchmark
    public int restoreOnly() {
        System.arraycopy(stuffed, 0, work, 0, stuffed.length);
        return work[work.length - 1];
    }
}
