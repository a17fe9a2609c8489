package io.sluice.gateway.cli;

import io.sluice.gateway.config.GatewayConfig;
import io.sluice.gateway.local.PasswordHash;
import io.sluice.gateway.local.UsersFile;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sluice user}: local users and their password hashes in {@code local.users-file}.
 * <pre>
 * sluice user add NAME [--name "Full Name"]    prompts twice on a console; else reads one line from stdin
 * sluice user passwd NAME                      same prompting
 * sluice user del NAME
 * sluice user list
 * </pre>
 * The file is rewritten atomically with mode 0600; a running gateway notices the change within a second.
 * Passwords are never echoed, printed or logged; only a PBKDF2 hash is stored.
 */
final class UserCommand {

    private static final String USAGE = "usage: sluice user {add NAME [--name \"Full Name\"] | passwd NAME | del NAME"
        + " | list} " + ConfigArgs.USAGE;

    int run(List<String> args, PrintStream out, PrintStream err) {
        ConfigArgs configArgs = new ConfigArgs();
        List<String> rest = new ArrayList<>(configArgs.parse(args));
        if (rest.isEmpty()) {
            throw new UsageException("missing subcommand; " + USAGE);
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(USAGE);
            out.println("Manages local users (name, PBKDF2 password hash, optional full name for VRFY) in local.users-file.");
            out.println("Passwords are read from the console twice, or as one line from stdin: echo secret | sluice user add fred");
            return Main.EXIT_OK;
        }
        String fullName = takeOption(rest, "--name");
        String verb = rest.remove(0);
        if (fullName != null && !verb.equals("add") && !verb.equals("passwd")) {
            throw new UsageException("--name is only for add and passwd");
        }
        GatewayConfig config = configArgs.load();
        Path file = config.local().usersFile();
        Map<String, UsersFile.User> users;
        try {
            users = new LinkedHashMap<>(UsersFile.read(file));
        } catch (UsersFile.BadUsersFileException e) {
            err.println("sluice user: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (IOException e) {
            err.println("sluice user: cannot read " + file + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        switch (verb) {
            case "list" -> {
                expectArgs(rest, 0, verb);
                for (UsersFile.User u : users.values()) {
                    out.println(u.fullName().isEmpty() ? u.name() : u.name() + "\t" + u.fullName());
                }
                return Main.EXIT_OK;
            }
            case "add" -> {
                String name = name(rest, verb);
                if (users.containsKey(name)) {
                    throw new UsageException("user " + name + " already exists (use passwd to change the password)");
                }
                users.put(name, new UsersFile.User(name, hash(readPassword(name)), checkFullName(fullName)));
            }
            case "passwd" -> {
                String name = name(rest, verb);
                UsersFile.User old = existing(users, name);
                users.put(name, new UsersFile.User(name, hash(readPassword(name)),
                    fullName == null ? old.fullName() : checkFullName(fullName)));
            }
            case "del" -> {
                String name = name(rest, verb);
                existing(users, name);
                users.remove(name);
            }
            default -> throw new UsageException("unknown subcommand '" + verb + "'; " + USAGE);
        }
        try {
            UsersFile.write(file, users.values());
        } catch (IOException e) {
            err.println("sluice user: cannot write " + file + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        out.println("sluice user: " + switch (verb) {
            case "add" -> "added ";
            case "passwd" -> "changed the password of ";
            default -> "deleted ";
        } + rest.get(0).toLowerCase(Locale.ROOT) + (verb.equals("del") ? " (the Maildir is left in place)" : ""));
        return Main.EXIT_OK;
    }

    private static String takeOption(List<String> rest, String option) {
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals(option)) {
                if (i + 1 >= rest.size()) {
                    throw new UsageException(option + " needs a value");
                }
                rest.remove(i);
                return rest.remove(i);
            }
            if (a.startsWith(option + "=")) {
                rest.remove(i);
                return a.substring(option.length() + 1);
            }
        }
        return null;
    }

    private static void expectArgs(List<String> rest, int count, String verb) {
        if (rest.size() != count) {
            throw new UsageException(verb + (count == 0 ? " takes no arguments" : " needs exactly one NAME") + "; " + USAGE);
        }
        for (String a : rest) {
            if (a.startsWith("-")) {
                throw new UsageException("unknown option '" + a + "'; " + USAGE);
            }
        }
    }

    private static String name(List<String> rest, String verb) {
        expectArgs(rest, 1, verb);
        String name = rest.get(0).toLowerCase(Locale.ROOT);
        if (!UsersFile.isValidName(name)) {
            throw new UsageException("bad user name '" + printable(rest.get(0))
                + "': use 1-64 of a-z 0-9 . _ + -, starting with a letter or digit");
        }
        return name;
    }

    private static UsersFile.User existing(Map<String, UsersFile.User> users, String name) {
        UsersFile.User u = users.get(name);
        if (u == null) {
            throw new UsageException("no such user: " + name);
        }
        return u;
    }

    private static String checkFullName(String fullName) {
        if (fullName == null) {
            return "";
        }
        for (int i = 0; i < fullName.length(); i++) {
            char c = fullName.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '<' || c == '>') {
                throw new UsageException("--name must be printable text without < or >");
            }
        }
        return fullName.strip();
    }

    private static String hash(char[] password) {
        try {
            return PasswordHash.create(password);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** Twice on an interactive console; otherwise one line from stdin, so scripts can pipe it. */
    private static char[] readPassword(String name) {
        Console console = System.console();
        char[] pw;
        if (console != null && isTerminal(console)) {
            pw = console.readPassword("Password for %s: ", name);
            char[] again = console.readPassword("Again: ");
            if (pw == null || again == null) {
                throw new UsageException("no password given");
            }
            boolean same = Arrays.equals(pw, again);
            Arrays.fill(again, '\0');
            if (!same) {
                Arrays.fill(pw, '\0');
                throw new UsageException("the passwords do not match");
            }
        } else {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new UsageException("no password on stdin (echo secret | sluice user add NAME)");
                }
                pw = line.toCharArray();
            } catch (IOException e) {
                throw new UsageException("cannot read the password from stdin: " + e.getMessage());
            }
        }
        if (pw.length == 0) {
            throw new UsageException("empty password refused");
        }
        return pw;
    }

    /** JDK 22+ may return a Console for redirected streams; {@code isTerminal()} tells (absent on 21: a tty). */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
