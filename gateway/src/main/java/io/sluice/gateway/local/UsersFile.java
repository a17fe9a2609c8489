package io.sluice.gateway.local;

import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The users file ({@code local.users-file}): one line per user, {@code name:HASH[:Full Name]}, where HASH is a
 * {@link PasswordHash} string (it contains no colon). Lines starting with {@code #} and blank lines are ignored.
 * Written atomically (temp file in the same directory, fsync, rename) with mode 0600: the hashes are still worth
 * protecting from offline guessing.
 *
 * <p>Called by the CLI ({@code sluice user}) and by {@link LocalMail} when the file changes; stateless.
 */
public final class UsersFile {

    /** Local part syntax we accept for users: lower-case, no quoting needed, fits a Maildir directory name. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._+-]{0,63}");

    /** One user. {@code fullName} is shown by VRFY; may be empty. */
    public record User(String name, String passwordHash, String fullName) {
        public User {
            if (!isValidName(name)) {
                throw new IllegalArgumentException("bad user name: " + name);
            }
            if (!PasswordHash.isWellFormed(passwordHash)) {
                throw new IllegalArgumentException("not a password hash for user " + name);
            }
            if (fullName.indexOf('\n') >= 0 || fullName.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("full name must be one line");
            }
        }
    }

    /** A users file that cannot be used; the message names the file and line. */
    public static final class BadUsersFileException extends Exception {
        private static final long serialVersionUID = 1L;

        BadUsersFileException(String message) {
            super(message, null, false, false);
        }
    }

    private UsersFile() {
    }

    /** True for names that may be users: 1-64 of {@code a-z 0-9 . _ + -}, starting with a letter or digit. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.endsWith(".") && !name.contains("..");
    }

    /** Reads the file; a missing file is an empty table (a fresh install has no users yet). */
    public static Map<String, User> read(Path file) throws BadUsersFileException, IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Map<String, User> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", 3);
            String where = file + " line " + (i + 1);
            if (f.length < 2) {
                throw new BadUsersFileException(where + ": expected name:hash[:full name]");
            }
            String name = f[0].strip().toLowerCase(Locale.ROOT);
            if (!isValidName(name)) {
                throw new BadUsersFileException(where + ": bad user name");
            }
            if (!PasswordHash.isWellFormed(f[1].strip())) {
                throw new BadUsersFileException(where + ": not a " + PasswordHash.SCHEME + " hash (plaintext is refused)");
            }
            if (users.put(name, new User(name, f[1].strip(), f.length > 2 ? f[2].strip() : "")) != null) {
                throw new BadUsersFileException(where + ": user " + name + " listed twice");
            }
        }
        return users;
    }

    /** Replaces the file atomically with these users, mode 0600. */
    public static void write(Path file, Collection<User> users) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 Writer w = new java.io.OutputStreamWriter(java.nio.channels.Channels.newOutputStream(ch),
                     StandardCharsets.UTF_8)) {
                w.write("# Sluice local users: name:pbkdf2-sha256$iterations$salt$hash:full name. Managed by ./sluice user.\n");
                for (User u : users) {
                    w.write(u.name() + ":" + u.passwordHash() + (u.fullName().isEmpty() ? "" : ":" + u.fullName()) + "\n");
                }
                w.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Maildir.forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
