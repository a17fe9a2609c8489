package io.sluice.gateway.local;

import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.SpoolEntry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** Shared by the local, pop3 and cli tests: users, envelopes and in-memory message bodies. */
public final class LocalTestSupport {

    private static final AtomicLong IDS = new AtomicLong();

    private LocalTestSupport() {
    }

    public static LocalConfig config(Path root, long quotaBytes) {
        return new LocalConfig(List.of("example.org", "localhost"), root.resolve("mail"), root.resolve("users"),
            root.resolve("aliases"), quotaBytes);
    }

    /** Writes users with cheap hashes (tests only: the real CLI uses {@link PasswordHash#DEFAULT_ITERATIONS}). */
    public static void writeUsers(Path usersFile, String... nameSecretFullName) throws IOException {
        List<UsersFile.User> users = new ArrayList<>();
        for (int i = 0; i < nameSecretFullName.length; i += 3) {
            users.add(new UsersFile.User(nameSecretFullName[i],
                PasswordHash.create(nameSecretFullName[i + 1].toCharArray(), 1_000), nameSecretFullName[i + 2]));
        }
        UsersFile.write(usersFile, users);
    }

    public static LocalMail localMail(LocalConfig config) {
        return new LocalMail(config, "test.host", Duration.ofMillis(50));
    }

    public static SpoolEntry entry(String sender, String... recipients) {
        List<Recipient> rcpts = new ArrayList<>();
        List<RecipientStatus> status = new ArrayList<>();
        for (int i = 0; i < recipients.length; i++) {
            rcpts.add(Recipient.of(recipients[i]));
            status.add(new RecipientStatus(i, RecipientState.IN_FLIGHT, 0, 0, ""));
        }
        Envelope env = new Envelope(sender, rcpts, new ClientInfo("127.0.0.1", "client.test", "ESMTP", null),
            System.currentTimeMillis(), "8BITMIME", false, null, null);
        return new SpoolEntry(new MessageId(IDS.incrementAndGet()), env, BodyForm.RAW, 0, status);
    }

    public static List<Integer> all(SpoolEntry e) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < e.envelope().recipients().size(); i++) {
            idx.add(i);
        }
        return idx;
    }

    /** A RAW body held in memory (the real spool maps files; the transport only reads a stream). */
    public static MessageBody body(byte[] message) {
        return new MessageBody() {
            @Override
            public BodyForm form() {
                return BodyForm.RAW;
            }

            @Override
            public long length() {
                return message.length;
            }

            @Override
            public long transferTo(WritableByteChannel out) throws IOException {
                return out.write(ByteBuffer.wrap(message));
            }

            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(message);
            }

            @Override
            public InputStream openMessageStream() {
                return new ByteArrayInputStream(message);
            }

            @Override
            public void close() {
            }
        };
    }

    public static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
