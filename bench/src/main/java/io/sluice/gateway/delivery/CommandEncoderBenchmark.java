package io.sluice.gateway.delivery;

import io.sluice.spool.Recipient;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pipelined writer: MAIL, N RCPTs and DATA of one transaction encoded and copied into the connection's
 * direct buffer, as {@link RemoteSmtpClient} does before its single write. Baseline: the same bytes built the obvious way
 * (String concatenation, then getBytes) and copied into the buffer. Run with {@code -prof gc} for B/op; the
 * encoder should allocate nothing.
 *
 * <pre>./sluice bench CommandEncoder -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CommandEncoderBenchmark {

    /** 1: the common case; 100: a list message at delivery.recipients-per-transaction. */
    @Param({"1", "10", "100"})
    int recipients;

    /** With DSN the RCPTs carry NOTIFY and ORCPT (xtext-encoded): the longer path. */
    @Param({"false", "true"})
    boolean dsn;

    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] commands = new byte[64 * 1024];
    private final List<Recipient> rcpts = new ArrayList<>();
    private PeerCapabilities peer;

    @Setup
    public void setUp() {
        peer = new PeerCapabilities(true, true, 52_428_800, true, false, false, false, true, dsn);
        for (int i = 0; i < recipients; i++) {
            rcpts.add(dsn ? new Recipient("user" + i + "@example.org", "rfc822;alias+" + i + "@origin.example",
                Recipient.NOTIFY_FAILURE | Recipient.NOTIFY_DELAY) : Recipient.of("user" + i + "@example.org"));
        }
    }

    /** What {@code RemoteSmtpClient} does: encode into its array, then one bulk copy into the direct buffer. */
    @Benchmark
    public int encoder() {
        int p = CommandEncoder.mailFrom(commands, 0, "sender@origin.example", 5_120, "8BITMIME", false,
            dsn ? "HDRS" : null, dsn ? "envid-1234" : null, peer);
        for (int i = 0; i < rcpts.size(); i++) {
            p = CommandEncoder.rcptTo(commands, p, rcpts.get(i), peer);
        }
        p = CommandEncoder.data(commands, p);
        out.clear();
        out.put(commands, 0, p);
        return out.position();
    }

    @Benchmark
    public int stringConcatBaseline() {
        out.clear();
        String mail = "MAIL FROM:<sender@origin.example> SIZE=5120 BODY=8BITMIME"
            + (dsn ? " RET=HDRS ENVID=envid-1234" : "") + "\r\n";
        out.put(mail.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < rcpts.size(); i++) {
            Recipient r = rcpts.get(i);
            String line = "RCPT TO:<" + r.address() + ">"
                + (dsn ? " NOTIFY=FAILURE,DELAY ORCPT=" + r.orcpt().replace("+", "+2B") : "") + "\r\n";
            out.put(line.getBytes(StandardCharsets.UTF_8));
        }
        out.put("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.position();
    }
}
