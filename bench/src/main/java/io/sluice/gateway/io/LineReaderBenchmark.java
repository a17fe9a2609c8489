package io.sluice.gateway.io;

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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One pipelined batch of SMTP command lines read line by line: {@link LineReader} (in place, no allocation; run
 * with {@code -prof gc} to see ~0 B/op) against the JDK baseline {@code BufferedReader.readLine} (a String per
 * line). Per op: the whole batch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class LineReaderBenchmark {

    /** Command line length without CRLF: a NOOP, a typical RCPT, the RFC 5321 maximum. */
    @Param({"4", "40", "510"})
    int lineLength;

    /** Bytes the "socket" hands over per read: a small TCP segment, a typical batch, a big read. */
    @Param({"64", "1460", "4096"})
    int readBytes;

    private byte[] batch;
    private ReplayInput input;
    private LineReader reader;

    /** An InputStream over a fixed array that can be rewound; allocation-free. */
    static final class ReplayInput extends InputStream {
        private final byte[] data;
        private final int readBytes;
        private int pos;

        ReplayInput(byte[] data, int readBytes) {
            this.data = data;
            this.readBytes = readBytes;
        }

        void rewind() {
            pos = 0;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, readBytes), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Setup
    public void setup() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            sb.append("X".repeat(lineLength)).append("\r\n");
        }
        batch = sb.toString().getBytes(StandardCharsets.US_ASCII);
        input = new ReplayInput(batch, readBytes);
        reader = new LineReader(input, 4096);
    }

    @Benchmark
    public long lineReader() throws IOException {
        input.rewind();
        reader.reset(input);
        long sum = 0;
        int n;
        while ((n = reader.readLine(510)) != LineReader.EOF) {
            sum += n;
        }
        return sum;
    }

    @Benchmark
    public long jdkBufferedReader() throws IOException {
        input.rewind();
        BufferedReader r = new BufferedReader(new InputStreamReader(input, StandardCharsets.US_ASCII), 4096);
        long sum = 0;
        String line;
        while ((line = r.readLine()) != null) {
            sum += line.length();
        }
        return sum;
    }
}
