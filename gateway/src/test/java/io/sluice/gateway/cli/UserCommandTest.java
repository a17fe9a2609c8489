package io.sluice.gateway.cli;

import io.sluice.gateway.local.PasswordHash;
import io.sluice.gateway.local.UsersFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class UserCommandTest {

    private static final InputStream REAL_STDIN = System.in;

    @TempDir
    Path root;
    String out;
    String err;

    @AfterEach
    void restoreStdin() {
        System.setIn(REAL_STDIN);
    }

    /** Runs {@code sluice user ...} through Main with {@code stdin} piped, as {@code echo pw | sluice user add}. */
    int user(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        List<String> all = new ArrayList<>(List.of("user"));
        all.addAll(List.of(args));
        all.addAll(List.of("--set", "local.users-file=" + root.resolve("users")));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    Map<String, UsersFile.User> users() throws Exception {
        return UsersFile.read(root.resolve("users"));
    }

    @Test
    void shouldAddListChangeAndDeleteUsersStoringOnlyHashes() throws Exception {
        assertEquals(0, user("s3cret pass\n", "add", "Fred", "--name", "Fred Smith"), err);
        assertTrue(out.contains("added fred"), out);
        UsersFile.User fred = users().get("fred");
        assertEquals("Fred Smith", fred.fullName());
        assertTrue(fred.passwordHash().startsWith("pbkdf2-sha256$" + PasswordHash.DEFAULT_ITERATIONS + "$"),
            fred.passwordHash());
        assertTrue(PasswordHash.verify("s3cret pass".toCharArray(), fred.passwordHash()));
        String file = Files.readString(root.resolve("users"));
        assertFalse(file.contains("s3cret"), file);
        assertFalse(out.contains("s3cret") || err.contains("s3cret"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("users"))));

        assertEquals(0, user("other\n", "add", "wilma"), err);
        assertEquals(0, user("", "list"), err);
        assertEquals("fred\tFred Smith\nwilma\n", out.replace("\r\n", "\n"));

        assertEquals(0, user("changed\n", "passwd", "fred"), err);
        assertTrue(PasswordHash.verify("changed".toCharArray(), users().get("fred").passwordHash()));
        assertEquals("Fred Smith", users().get("fred").fullName(), "passwd keeps the full name");

        assertEquals(0, user("", "del", "wilma"), err);
        assertEquals(List.of("fred"), List.copyOf(users().keySet()));
    }

    @Test
    void shouldRefuseMistakesWithOneLineAndExit2() throws Exception {
        assertEquals(0, user("pw\n", "add", "fred"), err);
        assertEquals(2, user("pw\n", "add", "fred"));
        assertOneLine("already exists");
        assertEquals(2, user("pw\n", "add", "bad name!"));
        assertOneLine("bad user name");
        assertEquals(2, user("pw\n", "add", "-x"));
        assertOneLine("unknown option");
        assertEquals(2, user("", "add", "barney"));
        assertOneLine("no password");
        assertEquals(2, user("\n", "add", "barney"));
        assertOneLine("empty password");
        assertEquals(2, user("", "del", "nobody"));
        assertOneLine("no such user");
        assertEquals(2, user("pw\n", "passwd", "nobody"));
        assertOneLine("no such user");
        assertEquals(2, user("", "frobnicate"));
        assertOneLine("unknown subcommand");
        assertEquals(2, user("", "del", "fred", "--name", "x"));
        assertOneLine("--name is only for add and passwd");
        assertEquals(2, user("pw\n", "add", "barney", "--name", "A <b>"));
        assertOneLine("--name");
        assertEquals(List.of("fred"), List.copyOf(users().keySet()), "failed commands changed nothing");
    }

    @Test
    void shouldPrintHelp() {
        assertEquals(0, user("", "--help"));
        assertTrue(out.contains("usage: sluice user"), out);
        assertEquals(2, user(""));
        assertOneLine("missing subcommand");
    }

    @Test
    void shouldRefuseUsersFileWithPlaintext() throws Exception {
        Files.writeString(root.resolve("users"), "fred:plaintext\n");
        assertEquals(1, user("", "list"));
        assertOneLine("plaintext is refused");
    }

    private void assertOneLine(String contains) {
        assertTrue(err.contains(contains), "stderr=" + err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }
}
