package io.sluice.gateway.pop3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.sluice.gateway.local.LocalTestSupport.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class Pop3ServerTest {

    static final String MSG1 = "Subject: one\r\nFrom: a@remote.example\r\n\r\nline 1\r\n.starts with a dot\r\n..two dots\r\n.\r\nlast\r\n";
    static final String MSG2 = "Subject: two\r\n\r\nsecond body\r\n";

    @TempDir
    Path root;

    static void ok(String reply) {
        assertTrue(reply != null && reply.startsWith("+OK"), "Reply=" + reply);
    }

    static void err(String reply, String contains) {
        assertTrue(reply != null && reply.startsWith("-ERR") && reply.contains(contains), "Reply=" + reply);
    }

    @Test
    void shouldGreetAndAdvertiseCapabilitiesWithoutApop() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root); Pop3TestClient c = new Pop3TestClient(f.port())) {
            String greeting = c.readLine();
            ok(greeting);
            assertFalse(greeting.contains("<"), "no APOP timestamp in the banner: " + greeting);
            ok(c.send("CAPA"));
            List<String> caps = List.of(c.readMultiLine().split("\r\n"));
            assertTrue(caps.containsAll(List.of("TOP", "UIDL", "RESP-CODES", "USER", "PIPELINING")), caps.toString());
            assertFalse(caps.contains("STLS"), "no TLS configured: " + caps);
            err(c.send("APOP fred 0123456789abcdef0123456789abcdef"), "salted hashes");
            err(c.send("AUTH PLAIN"), "not supported");
            err(c.send("STLS"), "no TLS configured");
            ok(c.send("QUIT"));
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    void shouldCloseAnIdleSessionWithoutApplyingDeletions() throws Exception {
        try (Pop3Fixture f = new Pop3Fixture(root, Duration.ZERO, true, null, 0, Duration.ofMillis(300));
             Pop3TestClient c = new Pop3TestClient(f.port())) {
            f.deliver("fred", MSG1);
            c.readLine();
            ok(c.login("fred", "secret"));
            ok(c.send("DELE 1"));
            long t0 = System.nanoTime();
            err(c.readLine(), "idle timeout");
            assertTrue(c.isClosedByServer());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 10_000, "closed after " + ms + " ms");
        }
        try (Pop3Fixture f = new Pop3Fixture(root, Duration.ZERO, true, null, 0, Duration.ofSeconds(60));
             Pop3TestClient c = new Pop3TestClient(f.port())) {
            c.readLine();
            ok(c.login("fred", "secret"));
            assertTrue(c.send("STAT").startsWith("+OK 1 "), "the timed-out session deleted nothing");
        }
    }

    @Test
    void shouldListAndRetrieveWithByteStuffingAndOctetSizes() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root); Pop3TestClient c = new Pop3TestClient(f.port())) {
            f.deliver("fred", MSG1);
            f.deliver("fred", MSG2);
            c.readLine();
            String login = c.login("Fred", "secret");
            ok(login);
            assertTrue(login.contains("2 messages"), login);
            assertEquals(0, files(f.maildir("fred").resolve("new")).size(), "new/ moved to cur/ at login");
            List<Path> cur = files(f.maildir("fred").resolve("cur"));
            long size1 = Files.size(cur.stream().filter(p -> read(p).contains("Subject: one")).findFirst().orElseThrow());
            long size2 = Files.size(cur.stream().filter(p -> read(p).contains("Subject: two")).findFirst().orElseThrow());
            assertEquals("+OK 2 " + (size1 + size2), c.send("STAT"));
            ok(c.send("LIST"));
            assertEquals("1 " + size1 + "\r\n2 " + size2 + "\r\n", c.readMultiLine());
            assertEquals("+OK 2 " + size2, c.send("LIST 2"));
            assertEquals("+OK " + size1 + " octets", c.send("RETR 1"));
            String body = c.readMultiLine();
            String prefix = "Return-Path: <sender@remote.example>\r\nDelivered-To: fred@example.org\r\n";
            assertEquals(prefix + MSG1.replace("\r\n.", "\r\n.."), body, "every line starting with '.' is stuffed");
            err(c.send("RETR 3"), "no such message");
            err(c.send("RETR x"), "bad arguments");
            err(c.send("LIST 0"), "no such message");
            ok(c.send("NOOP"));
            ok(c.send("QUIT"));
        }
    }

    @Test
    void shouldSendTopLinesAndStableUids() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root)) {
            f.deliver("fred", "Subject: t\r\n\r\nb1\r\n.b2\r\nb3\r\n");
            String uid;
            try (Pop3TestClient c = new Pop3TestClient(f.port())) {
                c.readLine();
                ok(c.login("fred", "secret"));
                ok(c.send("TOP 1 2"));
                String top = c.readMultiLine();
                assertTrue(top.endsWith("Subject: t\r\n\r\nb1\r\n..b2\r\n"), top);
                ok(c.send("TOP 1 0"));
                assertTrue(c.readMultiLine().endsWith("Subject: t\r\n\r\n"));
                err(c.send("TOP 1"), "bad arguments");
                String one = c.send("UIDL 1");
                ok(one);
                uid = one.substring("+OK 1 ".length());
                assertTrue(uid.matches("[\\x21-\\x7e]{1,70}"), uid);
                ok(c.send("UIDL"));
                assertEquals("1 " + uid + "\r\n", c.readMultiLine());
                ok(c.send("QUIT"));
            }
            f.deliver("fred", MSG2);
            try (Pop3TestClient c = new Pop3TestClient(f.port())) {
                c.readLine();
                ok(c.login("fred", "secret"));
                ok(c.send("UIDL"));
                String[] lines = c.readMultiLine().split("\r\n");
                assertEquals("1 " + uid, lines[0], "a UID survives sessions (and the move from new/ to cur/)");
                assertNotEquals(uid, lines[1].substring(2));
                ok(c.send("QUIT"));
            }
        }
    }

    @Test
    void shouldApplyDeletionsOnlyInUpdateState() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root)) {
            f.deliver("fred", MSG1);
            f.deliver("fred", MSG2);
            try (Pop3TestClient c = new Pop3TestClient(f.port())) {
                c.readLine();
                ok(c.login("fred", "secret"));
                assertEquals("+OK message 1 deleted", c.send("DELE 1"));
                err(c.send("DELE 1"), "already deleted");
                err(c.send("RETR 1"), "no such message");
                assertTrue(c.send("STAT").startsWith("+OK 1 "));
                ok(c.send("LIST"));
                assertTrue(c.readMultiLine().startsWith("2 "), "numbers do not shift after DELE");
                String rset = c.send("RSET");
                assertTrue(rset.contains("2 messages"), rset);
                ok(c.send("DELE 2"));
                assertEquals(2, f.countFiles("fred"), "nothing removed before QUIT");
                String quit = c.send("QUIT");
                assertTrue(quit.contains("1 messages left"), quit);
            }
            assertEquals(1, f.countFiles("fred"));
            try (Pop3TestClient c = new Pop3TestClient(f.port())) {
                c.readLine();
                ok(c.login("fred", "secret"));
                ok(c.send("RETR 1"));
                assertTrue(c.readMultiLine().contains("Subject: one"));
            }
        }
    }

    @Test
    void shouldLoseNothingWhenClientDisconnectsAfterDele() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root)) {
            f.deliver("fred", MSG1);
            try (Pop3TestClient c = new Pop3TestClient(f.port())) {
                c.readLine();
                ok(c.login("fred", "secret"));
                ok(c.send("DELE 1"));
            }
            // The lock is released when the server notices the hang-up; the message must still be there.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try (Pop3TestClient c = new Pop3TestClient(f.port())) {
                    c.readLine();
                    String login = c.login("fred", "secret");
                    if (login.contains("[IN-USE]") && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                        continue;
                    }
                    ok(login);
                    assertTrue(login.contains("1 messages"), login);
                    ok(c.send("QUIT"));
                    break;
                }
            }
            assertEquals(1, f.countFiles("fred"));
        }
    }

    @Test
    void shouldAllowOneSessionPerMailbox() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root);
             Pop3TestClient a = new Pop3TestClient(f.port());
             Pop3TestClient b = new Pop3TestClient(f.port());
             Pop3TestClient other = new Pop3TestClient(f.port())) {
            a.readLine();
            b.readLine();
            other.readLine();
            ok(a.login("fred", "secret"));
            err(b.login("fred@example.org", "secret"), "[IN-USE]");
            ok(other.login("wilma", "other"));
            ok(a.send("QUIT"));
            ok(b.login("fred", "secret"));
        }
    }

    @Test
    void shouldDelayFailedLoginsAndCloseAfterThree() throws Exception {
        try (Pop3Fixture f = new Pop3Fixture(root, Duration.ofMillis(400), true, null, 0, Duration.ofSeconds(60));
             Pop3TestClient c = new Pop3TestClient(f.port())) {
            c.readLine();
            long start = System.nanoTime();
            err(c.login("fred", "wrong"), "[AUTH]");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(390).toNanos(), "the -ERR waits for the delay");
            err(c.login("nobody", "secret"), "[AUTH]");
            err(c.send("PASS secret"), "send USER first");
            err(c.login("fred", "wrong again"), "[AUTH]");
            assertTrue(c.isClosedByServer(), "three failures end the session");
        }
    }

    @Test
    void shouldAnswerBadInputWithErrAndKeepGoing() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root); Pop3TestClient c = new Pop3TestClient(f.port())) {
            c.readLine();
            err(c.send("STAT"), "before login");
            err(c.send("HELO x"), "unknown command");
            err(c.send("X".repeat(400)), "line too long");
            err(c.send(""), "unknown command");
            err(c.send("USER"), "needs a mailbox name");
            c.sendRaw("CAPA\n");
            ok(c.readLine());
            c.readMultiLine();
            ok(c.login("fred", "secret"));
            err(c.send("USER fred"), "not valid after login");
            err(c.send("DELE -1"), "bad arguments");
            for (int i = 0; i < Pop3Session.MAX_ERRORS; i++) {
                String r = c.send("BOGUS");
                if (r.contains("too many errors")) {
                    assertTrue(c.isClosedByServer());
                    return;
                }
            }
            throw new AssertionError("the error limit never closed the session");
        }
    }

    @Test
    void shouldReplySysTempWhenTheMailboxCannotBeOpened() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root); Pop3TestClient c = new Pop3TestClient(f.port())) {
            Files.createDirectories(f.config.mailDir());
            Files.writeString(f.maildir("fred"), "a file where the Maildir should be");
            c.readLine();
            err(c.login("fred", "secret"), "[SYS/TEMP]");
            ok(c.login("wilma", "other"));
            ok(c.send("QUIT"));
        }
        try (Pop3Fixture f = Pop3Fixture.plain(root.resolve("again")); Pop3TestClient c = new Pop3TestClient(f.port())) {
            c.readLine();
            ok(c.login("fred", "secret"));
            assertEquals("+OK 0 0", c.send("STAT"), "a user without mail yet has an empty maildrop");
        }
    }

    @Test
    void shouldPipelineCommands() throws Exception {
        try (Pop3Fixture f = Pop3Fixture.plain(root); Pop3TestClient c = new Pop3TestClient(f.port())) {
            f.deliver("fred", MSG2);
            c.readLine();
            c.sendRaw("USER fred\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nQUIT\r\n");
            ok(c.readLine());
            ok(c.readLine());
            ok(c.readLine());
            ok(c.readLine());
            assertTrue(c.readMultiLine().endsWith(MSG2));
            ok(c.readLine());
        }
    }

    @Test
    void shouldCloseIdleSessionWithoutApplyingDeletions() throws Exception {
        try (Pop3Fixture f = new Pop3Fixture(root, Duration.ZERO, true, null, 0, Duration.ofMillis(500));
             Pop3TestClient c = new Pop3TestClient(f.port())) {
            f.deliver("fred", MSG1);
            c.readLine();
            ok(c.login("fred", "secret"));
            ok(c.send("DELE 1"));
            err(c.readLine(), "timeout");
            assertTrue(c.isClosedByServer());
            assertEquals(1, f.countFiles("fred"));
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
