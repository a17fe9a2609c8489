package io.sluice.gateway.smtp;

import io.sluice.spool.Durability;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.chronicle.ChronicleSpool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The real Chronicle spool in a temp directory, with helpers to read back what the server stored. */
final class TempSpool implements AutoCloseable {

    final Path dir;
    final Spool spool;

    TempSpool() throws IOException {
        dir = Files.createTempDirectory("sluice-smtp-spool");
        spool = ChronicleSpool.open(new SpoolOptions(dir, Durability.FSYNC, 50L << 20, 0, Duration.ofHours(1)));
    }

    List<SpoolEntry> entries() {
        return spool.entries();
    }

    SpoolEntry entry(String queueId) {
        return spool.entry(MessageId.parse(queueId)).orElseThrow(() -> new AssertionError("not in spool: " + queueId));
    }

    /** The stored bytes, unchanged (wire form for DATA). */
    byte[] storedBytes(String queueId) throws IOException {
        try (MessageBody body = spool.openBody(MessageId.parse(queueId)).orElseThrow();
             InputStream in = body.openStream()) {
            return in.readAllBytes();
        }
    }

    /** The message itself (unstuffed). */
    byte[] message(String queueId) throws IOException {
        try (MessageBody body = spool.openBody(MessageId.parse(queueId)).orElseThrow();
             InputStream in = body.openMessageStream()) {
            return in.readAllBytes();
        }
    }

    /** The queue id from a "250 2.0.0 Ok: queued as <id>" line. */
    static String queueId(String reply) {
        return reply.substring(reply.lastIndexOf(' ') + 1).trim();
    }

    /** Closes the spool and deletes its directory (each test run made 26 of them, 356 KB each, and kept them). */
    @Override
    public void close() {
        spool.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory; the OS cleans it eventually
        }
    }
}
