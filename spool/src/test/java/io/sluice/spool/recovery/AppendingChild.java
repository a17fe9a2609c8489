package io.sluice.spool.recovery;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Durability;
import io.sluice.spool.Envelope;
import io.sluice.spool.Recipient;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolWriter;
import io.sluice.spool.chronicle.ChronicleSpool;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The process {@link KillDuringAppendTest} kills. Appends messages from several virtual threads until killed and
 * reports on stdout: {@code START id commit|abort length} right after begin (for the test's diagnostics),
 * {@code BEGIN id crc length} before committing, {@code OK id} only after the commit future returned OK (the
 * moment the gateway would send 250), {@code ABORT id} after aborting.
 */
public final class AppendingChild {

    static final int WRITERS = 8;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(System.out, false);
        Spool spool = ChronicleSpool.open(new SpoolOptions(dir, Durability.FSYNC, 64L << 20, 0, Duration.ofHours(1)));
        out.println("READY");
        out.flush();
        for (int t = 0; t < WRITERS; t++) {
            long threadSeed = seed * 31 + t;
            Thread.ofVirtual().start(() -> appendForever(spool, new SplittableRandom(threadSeed), out));
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void appendForever(Spool spool, SplittableRandom random, PrintStream out) {
        byte[] piece = new byte[8192];
        ByteBuffer buffer = ByteBuffer.allocateDirect(piece.length);
        Envelope envelope = new Envelope("a@example.org", List.of(Recipient.of("b@example.net")),
            ClientInfo.LOCAL, System.currentTimeMillis(), "7BIT", false, null, null);
        while (true) {
            boolean large = random.nextInt(5) == 0;
            int length = large ? 65_536 + random.nextInt(400_000) : 1 + random.nextInt(8000);
            boolean abort = random.nextInt(10) == 0;
            SpoolWriter w = spool.begin(envelope, BodyForm.RAW);
            synchronized (out) {
                out.println("START " + w.id() + " " + (abort ? "abort" : "commit") + " " + length);
                out.flush();
            }
            CRC32 crc = new CRC32();
            for (int done = 0; done < length; ) {
                int n = Math.min(piece.length, length - done);
                for (int i = 0; i < n; i++) {
                    piece[i] = (byte) random.nextInt();
                }
                crc.update(piece, 0, n);
                buffer.clear();
                buffer.put(piece, 0, n).flip();
                if (w.append(buffer) != AppendResult.OK) {
                    throw new IllegalStateException("append failed");
                }
                done += n;
            }
            if (abort) {
                w.abort();
                synchronized (out) {
                    out.println("ABORT " + w.id());
                    out.flush();
                }
                continue;
            }
            synchronized (out) {
                out.println("BEGIN " + w.id() + " " + crc.getValue() + " " + length);
                out.flush();
            }
            if (w.commit().join() == AppendResult.OK) {
                synchronized (out) {
                    out.println("OK " + w.id());
                    out.flush();
                }
            }
        }
    }
}
