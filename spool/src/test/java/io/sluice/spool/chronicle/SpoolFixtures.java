package io.sluice.spool.chronicle;

import io.sluice.spool.ClientInfo;
import io.sluice.spool.Durability;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.Recipient;
import io.sluice.spool.SpoolOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shared test data: envelopes, deterministic bodies, read-back helpers. */
public final class SpoolFixtures {

    private SpoolFixtures() {
    }

    public static SpoolOptions options(Path dir, Durability durability) {
        return new SpoolOptions(dir, durability, 200L << 20, 0, Duration.ofHours(1));
    }

    public static Envelope envelope(int recipients) {
        List<Recipient> list = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            list.add(new Recipient("user" + i + "@d" + (i % 2) + ".example", i == 0 ? "rfc822;alias@example" : null,
                Recipient.NOTIFY_DEFAULT));
        }
        return new Envelope("sender@example.org", list, new ClientInfo("127.0.0.1", "client.example", "ESMTP", null),
            1_700_000_000_000L, "8BITMIME", true, "HDRS", "env-1");
    }

    public static byte[] body(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static byte[] readAll(MessageBody body) throws IOException {
        try (InputStream in = body.openStream()) {
            return in.readAllBytes();
        }
    }

    public static byte[] transferAll(MessageBody body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = body.transferTo(Channels.newChannel(out));
        if (n != body.length()) {
            throw new AssertionError("transferTo returned " + n + " of " + body.length());
        }
        return out.toByteArray();
    }
}
