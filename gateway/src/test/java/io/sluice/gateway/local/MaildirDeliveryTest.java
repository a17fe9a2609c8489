package io.sluice.gateway.local;

import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.delivery.DeliveryResult;
import io.sluice.spool.RecipientState;
import io.sluice.spool.SpoolEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.sluice.gateway.local.LocalTestSupport.all;
import static io.sluice.gateway.local.LocalTestSupport.body;
import static io.sluice.gateway.local.LocalTestSupport.entry;
import static io.sluice.gateway.local.LocalTestSupport.files;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class MaildirDeliveryTest {

    static final byte[] MESSAGE = "Subject: hi\r\nFrom: a@remote.example\r\n\r\nhello\r\n.dot line\r\n"
        .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path root;

    LocalMail local(long quota, String aliases) throws Exception {
        LocalConfig config = LocalTestSupport.config(root, quota);
        LocalTestSupport.writeUsers(config.usersFile(), "fred", "pw", "Fred", "wilma", "pw", "");
        Files.writeString(config.aliasesFile(), aliases);
        return LocalTestSupport.localMail(config);
    }

    @Test
    void shouldClaimMessagesInArrivalOrderWhenMicrosecondsGainADigit() throws Exception {
        try (LocalMail local = local(0, "")) {
            Path newDir = Files.createDirectories(local.maildir("fred").dir().resolve("new"));
            Files.writeString(newDir.resolve("1795462666.M100000Q2P7.host,S=3"), "two");
            Files.writeString(newDir.resolve("1795462666.M99999Q1P7.host,S=3"), "one");
            Files.writeString(newDir.resolve("1795462665.M999999Q9P7.host,S=4"), "zero");
            List<String> order = local.maildir("fred").claim().stream()
                .map(m -> m.uid().substring(0, m.uid().indexOf('Q'))).toList();
            assertEquals(List.of("1795462665.M999999", "1795462666.M99999", "1795462666.M100000"), order);
        }
    }

    @Test
    void shouldDeliverWithReturnPathAndDeliveredToIntoNew() throws Exception {
        try (LocalMail local = local(0, "")) {
            SpoolEntry e = entry("sender@remote.example", "Fred@example.org");
            List<DeliveryResult> r = local.deliver(e, body(MESSAGE), all(e));
            assertEquals(RecipientState.DELIVERED, r.get(0).state(), r.toString());
            assertTrue(r.get(0).reply().startsWith("250 2.0.0"), r.toString());
            Path maildir = root.resolve("mail/fred");
            List<Path> delivered = files(maildir.resolve("new"));
            assertEquals(1, delivered.size());
            assertEquals(List.of(), files(maildir.resolve("tmp")), "tmp must be empty after delivery");
            assertTrue(Files.isDirectory(maildir.resolve("cur")));
            byte[] stored = Files.readAllBytes(delivered.get(0));
            String prefix = "Return-Path: <sender@remote.example>\r\nDelivered-To: fred@example.org\r\n";
            assertArrayEquals(concat(prefix.getBytes(StandardCharsets.US_ASCII), MESSAGE), stored);
            String name = delivered.get(0).getFileName().toString();
            assertTrue(name.matches("\\d+\\.M\\d+Q\\d+P\\d+\\.test\\.host,S=" + stored.length), name);
        }
    }

    @Test
    void shouldBounceUnknownUserAndWriteNullSender() throws Exception {
        try (LocalMail local = local(0, "")) {
            SpoolEntry e = entry("", "nobody@example.org", "wilma@localhost");
            List<DeliveryResult> r = local.deliver(e, body(MESSAGE), all(e));
            assertEquals(RecipientState.BOUNCED, r.get(0).state());
            assertTrue(r.get(0).reply().startsWith("550 5.1.1"), r.get(0).reply());
            assertEquals(0, r.get(0).recipientIndex());
            assertEquals(RecipientState.DELIVERED, r.get(1).state());
            assertEquals(1, r.get(1).recipientIndex());
            String stored = Files.readString(files(root.resolve("mail/wilma/new")).get(0));
            assertTrue(stored.startsWith("Return-Path: <>\r\nDelivered-To: wilma@localhost\r\n"), stored);
        }
    }

    @Test
    void shouldDeliverToPostmasterMailboxOrItsAlias() throws Exception {
        try (LocalMail local = local(0, "")) {
            SpoolEntry e = entry("", "postmaster@example.org");
            assertEquals(RecipientState.DELIVERED, local.deliver(e, body(MESSAGE), all(e)).get(0).state());
            assertEquals(1, files(root.resolve("mail/postmaster/new")).size());
        }
        try (LocalMail local = local(0, "postmaster: wilma\n")) {
            SpoolEntry e = entry("", "postmaster@example.org");
            assertEquals(RecipientState.DELIVERED, local.deliver(e, body(MESSAGE), all(e)).get(0).state());
            assertEquals(1, files(root.resolve("mail/wilma/new")).size());
        }
    }

    @Test
    void shouldDeferOverQuotaAndBounceMessagesLargerThanQuota() throws Exception {
        long quota = 3L * (MESSAGE.length + 80);
        try (LocalMail local = local(quota, "")) {
            int delivered = 0;
            DeliveryResult last = null;
            for (int i = 0; i < 10; i++) {
                SpoolEntry e = entry("s@remote.example", "fred@example.org");
                last = local.deliver(e, body(MESSAGE), all(e)).get(0);
                if (last.state() != RecipientState.DELIVERED) {
                    break;
                }
                delivered++;
            }
            assertEquals(3, delivered);
            assertEquals(RecipientState.DEFERRED, last.state());
            assertTrue(last.reply().startsWith("452 4.2.2"), last.reply());

            byte[] huge = new byte[(int) quota + 1];
            SpoolEntry e = entry("s@remote.example", "wilma@example.org");
            DeliveryResult r = local.deliver(e, body(huge), all(e)).get(0);
            assertEquals(RecipientState.BOUNCED, r.state(), r.reply());

            for (Path p : files(root.resolve("mail/fred/new"))) {
                Files.delete(p);
            }
            SpoolEntry again = entry("s@remote.example", "fred@example.org");
            assertEquals(RecipientState.DELIVERED, local.deliver(again, body(MESSAGE), all(again)).get(0).state(),
                "space freed by POP3 deletions is usable again");
        }
    }

    @Test
    void shouldDeliverConcurrentlyToOneUserWithoutLossOrCollision() throws Exception {
        int threads = 16;
        int perThread = 25;
        try (LocalMail local = local(0, "");
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tid = t;
                futures.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < perThread; i++) {
                        byte[] msg = ("Subject: " + tid + "-" + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
                        SpoolEntry e = entry("s@remote.example", "fred@example.org");
                        if (local.deliver(e, body(msg), all(e)).get(0).state() == RecipientState.DELIVERED) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : futures) {
                ok += f.get();
            }
            assertEquals(threads * perThread, ok);
            List<Path> delivered = files(root.resolve("mail/fred/new"));
            assertEquals(threads * perThread, delivered.size());
            Set<String> subjects = new HashSet<>();
            for (Path p : delivered) {
                String s = Files.readString(p);
                subjects.add(s.substring(s.indexOf("Subject: "), s.indexOf("\r\n\r\n")));
            }
            assertEquals(threads * perThread, subjects.size(), "every message intact and distinct");
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
