package io.sluice.gateway.local;

import io.sluice.gateway.config.ConfigException;
import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.local.LocalDirectory.Kind;
import io.sluice.gateway.local.LocalDirectory.Lookup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.sluice.gateway.local.LocalTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class AliasesTest {

    @TempDir
    Path root;
    LocalConfig config;

    @BeforeEach
    void users() throws Exception {
        config = LocalTestSupport.config(root, 0);
        LocalTestSupport.writeUsers(config.usersFile(), "fred", "pw1", "Fred Smith", "wilma", "pw2", "",
            "barney", "pw3", "Barney Rubble");
    }

    private LocalMail withAliases(String text) throws Exception {
        Files.writeString(config.aliasesFile(), text);
        return LocalTestSupport.localMail(config);
    }

    @Test
    void shouldAnswerVrfyForUserWithDisplayName() throws Exception {
        try (LocalMail local = withAliases("")) {
            Lookup l = local.lookup("Fred@Example.ORG");
            assertEquals(Kind.USER, l.kind());
            assertEquals("fred@example.org", l.address());
            assertEquals("Fred Smith", l.displayName());
            assertEquals(List.of("fred@example.org"), l.expanded());
            assertFalse(local.lookup("nobody@example.org").isKnown());
            assertFalse(local.lookup("fred@remote.example").isKnown(), "non-local domain");
            assertTrue(local.isLocalDomain("LOCALHOST"));
        }
    }

    @Test
    void shouldExpandNestedListsRemovingDuplicatesAndKeepingRemoteMembers() throws Exception {
        try (LocalMail local = withAliases("""
            # staff and friends
            staff: fred, wilma,
              inner, someone@Remote.Example
            inner: barney, fred@example.org, wilma
            boss: fred
            """)) {
            Lookup l = local.lookup("staff@example.org");
            assertEquals(Kind.LIST, l.kind());
            assertEquals(List.of("fred@example.org", "wilma@example.org", "inner@example.org", "someone@remote.example"),
                l.members());
            assertEquals(List.of("fred@example.org", "wilma@example.org", "barney@example.org", "someone@remote.example"),
                l.expanded());
            Lookup boss = local.lookup("boss@localhost");
            assertEquals(Kind.ALIAS, boss.kind());
            assertEquals(List.of("fred@localhost"), boss.expanded());
        }
    }

    @Test
    void shouldCutLoopsAndKeepSelfReferenceToUser() throws Exception {
        try (LocalMail local = withAliases("""
            a: b, fred
            b: c
            c: a, wilma
            fred: fred, fred@backup.example
            """)) {
            assertEquals(List.of("wilma@example.org", "fred@example.org", "fred@backup.example"),
                local.lookup("a@example.org").expanded());
            assertEquals(List.of("fred@example.org", "fred@backup.example"), local.lookup("fred@example.org").expanded());
            assertEquals(Kind.LIST, local.lookup("fred@example.org").kind(), "an alias shadows the user of that name");
        }
    }

    @Test
    void shouldReadIncludeFilesAsLists() throws Exception {
        Path members = root.resolve("friends.txt");
        Files.writeString(members, "# members\nfred\nwilma, outside@remote.example\n");
        try (LocalMail local = withAliases("friends: :include:" + members + "\n")) {
            Lookup l = local.lookup("friends@example.org");
            assertEquals(Kind.LIST, l.kind());
            assertEquals(List.of("fred@example.org", "wilma@example.org", "outside@remote.example"), l.expanded());
        }
    }

    @Test
    void shouldReloadWhenAnIncludeFileChanges() throws Exception {
        Path members = root.resolve("members.txt");
        Files.writeString(members, "fred\n");
        try (LocalMail local = withAliases("crew: :include:" + members + "\n").start()) {
            assertEquals(List.of("fred@example.org"), local.lookup("crew@example.org").expanded());
            Files.writeString(members, "fred\nbarney\n");
            await(() -> local.lookup("crew@example.org").expanded().size() == 2, "reload after the include changed");
        }
    }

    @Test
    void shouldAlwaysHavePostmaster() throws Exception {
        try (LocalMail local = withAliases("")) {
            Lookup l = local.lookup("PostMaster@example.org");
            assertEquals(Kind.USER, l.kind());
            assertEquals(List.of("postmaster@example.org"), l.expanded());
            assertTrue(local.lookup("postmaster").isKnown(), "RFC 5321 4.5.1: <postmaster> without a domain");
        }
        try (LocalMail local = withAliases("postmaster: wilma\n")) {
            assertEquals(List.of("wilma@example.org"), local.lookup("postmaster@example.org").expanded());
        }
    }

    @Test
    void shouldRefuseBadFileAtStartup() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> withAliases("staff fred\n"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        assertThrows(ConfigException.class, () -> withAliases("run: |/bin/sh\n"));
        assertThrows(ConfigException.class, () -> withAliases("a: fred\na: wilma\n"));
    }

    @Test
    void shouldReloadOnChangeAndKeepPreviousTableWhenBroken() throws Exception {
        try (LocalMail local = withAliases("team: fred\n").start()) {
            assertEquals(List.of("fred@example.org"), local.lookup("team@example.org").expanded());
            Files.writeString(config.aliasesFile(), "team: fred, wilma\n");
            await(() -> local.lookup("team@example.org").expanded().size() == 2, "reload of the aliases file");

            Files.writeString(config.aliasesFile(), "team: fred, wilma\nbroken line without colon\nnew: barney\n");
            Files.writeString(config.aliasesFile().resolveSibling("marker"), "x");
            local.reloadIfChanged();
            assertFalse(local.lookup("new@example.org").isKnown(), "a bad file must not be applied");
            assertEquals(2, local.lookup("team@example.org").expanded().size(), "previous table kept");

            Files.writeString(config.aliasesFile(), "team: barney\nnew: barney\n");
            await(() -> local.lookup("new@example.org").isKnown(), "reload after the fix");
            assertEquals(List.of("barney@example.org"), local.lookup("team@example.org").expanded());
        }
    }

    @Test
    void shouldSeeUsersAddedWhileRunning() throws Exception {
        try (LocalMail local = withAliases("").start()) {
            assertFalse(local.lookup("dino@example.org").isKnown());
            LocalTestSupport.writeUsers(config.usersFile(), "fred", "pw1", "Fred Smith", "dino", "pw4", "Dino");
            await(() -> local.lookup("dino@example.org").isKnown(), "reload of the users file");
            assertTrue(local.authenticate("dino@example.org", "pw4".toCharArray()));
            assertFalse(local.lookup("wilma@example.org").isKnown());
        }
    }

    @Test
    void shouldAuthenticateAgainstHashesOnly() throws Exception {
        try (LocalMail local = withAliases("")) {
            assertTrue(local.authenticate("fred", "pw1".toCharArray()));
            assertTrue(local.authenticate("FRED@localhost", "pw1".toCharArray()));
            assertFalse(local.authenticate("fred", "pw2".toCharArray()));
            assertFalse(local.authenticate("fred@remote.example", "pw1".toCharArray()));
            assertFalse(local.authenticate("nobody", "pw1".toCharArray()));
            String file = Files.readString(config.usersFile());
            assertFalse(file.contains("pw1"), file);
            assertTrue(file.contains("fred:pbkdf2-sha256$1000$"), file);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(config.usersFile())));
        }
    }
}
