package io.sluice.spool.chronicle;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static io.sluice.spool.chronicle.SpoolFixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A 100 MB body goes in through one reused 64 KB buffer and comes back through {@code transferTo} into a file and
 * through {@code openStream}, compared by CRC: at no point is the body on the heap (the spool stages it in
 * pooled off-heap chunks; readers copy from the page cache).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LargeBodyTest {

    private static final int BODY_BYTES = 100 << 20;

    @TempDir
    Path dir;

    @Test
    void shouldStoreAndSendHundredMegabyteBodyWithoutHeapCopy() throws Exception {
        try (Spool spool = ChronicleSpool.open(SpoolFixtures.options(dir.resolve("spool"), Durability.FSYNC))) {
            SpoolWriter w = spool.begin(envelope(1), BodyForm.RAW);
            ByteBuffer piece = ByteBuffer.allocateDirect(64 * 1024 - 3); // odd size: chunk edges move
            CRC32 written = new CRC32();
            long state = 0x9E3779B97F4A7C15L;
            for (long done = 0; done < BODY_BYTES; ) {
                piece.clear();
                int n = (int) Math.min(piece.capacity(), BODY_BYTES - done);
                while (piece.position() < n) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    piece.put((byte) state);
                }
                piece.flip();
                written.update(piece.duplicate());
                assertEquals(AppendResult.OK, w.append(piece));
                done += n;
            }
            assertEquals(AppendResult.OK, w.commit().get(60, TimeUnit.SECONDS));

            Path copy = dir.resolve("copy");
            try (MessageBody body = spool.openBody(w.id()).orElseThrow();
                 FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                assertEquals(BODY_BYTES, body.length());
                assertEquals(BODY_BYTES, body.transferTo(out));
                assertEquals(written.getValue(), crcOfFile(copy));
                try (InputStream in = body.openStream()) {
                    CRC32 streamed = new CRC32();
                    byte[] buf = new byte[32 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        streamed.update(buf, 0, n);
                    }
                    assertEquals(written.getValue(), streamed.getValue());
                }
            }
        }
    }

    private static long crcOfFile(Path file) throws Exception {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) > 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return crc.getValue();
    }
}
