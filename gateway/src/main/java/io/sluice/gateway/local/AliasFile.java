package io.sluice.gateway.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the aliases file ({@code local.aliases-file}) in the traditional format:
 * <pre>
 * # comment
 * postmaster: fred
 * staff:      fred, wilma,
 *             barney@remote.example          (continuation: the line starts with a space or tab)
 * friends:    :include:/etc/sluice/friends   (one member per line or comma-separated; # comments)
 * </pre>
 * <b>Alias or list:</b> an entry with exactly one member written directly is an <i>alias</i>; an entry with more
 * than one member, or with an {@code :include:} file, is a <i>list</i>. EXPN shows both; the distinction only
 * changes {@link LocalDirectory.Kind}. Names and local members are case-insensitive; a member whose domain is
 * local is stored as its bare local part, so {@code fred} and {@code fred@localdomain} are the same recipient.
 * Pipes ({@code |cmd}) and files ({@code /path}) are refused: the gateway never runs commands for mail.
 *
 * <p>Pure parsing, called by the reload thread; the result is immutable.
 */
final class AliasFile {

    /** One entry: members are bare local parts or remote {@code local@domain} addresses, in written order. */
    record Entry(String name, List<String> members, boolean isList) {
    }

    static final class BadAliasesFileException extends Exception {
        private static final long serialVersionUID = 1L;

        BadAliasesFileException(String message) {
            super(message, null, false, false);
        }
    }

    static final AliasFile EMPTY = new AliasFile(Map.of(), List.of());

    private static final String INCLUDE = ":include:";
    private static final int MAX_INCLUDE_LINES = 100_000;

    final Map<String, Entry> entries;
    /** The {@code :include:} files read, so the watcher can notice when they change. */
    final List<Path> includes;

    private AliasFile(Map<String, Entry> entries, List<Path> includes) {
        this.entries = Map.copyOf(entries);
        this.includes = List.copyOf(includes);
    }

    /** A missing file is an empty table. */
    static AliasFile read(Path file, Set<String> localDomains) throws BadAliasesFileException, IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<Path> includes = new ArrayList<>();
        String pending = null;
        int pendingLine = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : null;
            if (line != null && line.strip().startsWith("#")) {
                continue;
            }
            if (line != null && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (pending == null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    throw new BadAliasesFileException(file + " line " + (i + 1) + ": continuation line without an entry");
                }
                pending = pending + " " + line.strip();
                continue;
            }
            if (pending != null) {
                Entry e = parseEntry(pending, file + " line " + pendingLine, localDomains, includes);
                if (entries.putIfAbsent(e.name(), e) != null) {
                    throw new BadAliasesFileException(file + " line " + pendingLine + ": " + e.name() + " defined twice");
                }
                pending = null;
            }
            if (line != null && !line.isBlank()) {
                pending = line.strip();
                pendingLine = i + 1;
            }
        }
        return new AliasFile(entries, includes);
    }

    private static Entry parseEntry(String text, String where, Set<String> localDomains, List<Path> includes)
        throws BadAliasesFileException, IOException {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new BadAliasesFileException(where + ": expected 'name: member, member, ...'");
        }
        String name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        if (!UsersFile.isValidName(name)) {
            throw new BadAliasesFileException(where + ": bad alias name '" + printable(name) + "'");
        }
        List<String> members = new ArrayList<>();
        boolean isList = false;
        for (String raw : text.substring(colon + 1).split(",")) {
            String m = raw.strip();
            if (m.isEmpty()) {
                continue;
            }
            if (m.regionMatches(true, 0, INCLUDE, 0, INCLUDE.length())) {
                isList = true;
                Path inc = Path.of(m.substring(INCLUDE.length()).strip());
                includes.add(inc);
                readInclude(inc, where, localDomains, members);
            } else {
                members.add(member(m, where, localDomains));
            }
        }
        if (members.isEmpty() && !isList) {
            throw new BadAliasesFileException(where + ": " + name + " has no members");
        }
        return new Entry(name, List.copyOf(members), isList || members.size() > 1);
    }

    private static void readInclude(Path inc, String where, Set<String> localDomains, List<String> members)
        throws BadAliasesFileException, IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(inc, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadAliasesFileException(where + ": include file not found: " + inc);
        }
        if (lines.size() > MAX_INCLUDE_LINES) {
            throw new BadAliasesFileException(where + ": include file too long: " + inc);
        }
        for (int j = 0; j < lines.size(); j++) {
            String l = lines.get(j).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            for (String raw : l.split(",")) {
                if (!raw.isBlank()) {
                    members.add(member(raw.strip(), inc + " line " + (j + 1), localDomains));
                }
            }
        }
    }

    private static String member(String m, String where, Set<String> localDomains) throws BadAliasesFileException {
        if (m.startsWith("<") && m.endsWith(">")) {
            m = m.substring(1, m.length() - 1).strip();
        }
        if (m.startsWith("|") || m.startsWith("/") || m.startsWith("\"")) {
            throw new BadAliasesFileException(where + ": pipes, files and quoted names are not supported: '"
                + printable(m) + "'");
        }
        for (int k = 0; k < m.length(); k++) {
            char c = m.charAt(k);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ':' || c == ';') {
                throw new BadAliasesFileException(where + ": bad member '" + printable(m) + "'");
            }
        }
        int at = m.lastIndexOf('@');
        if (at < 0) {
            return m.toLowerCase(Locale.ROOT);
        }
        String local = m.substring(0, at);
        String domain = m.substring(at + 1).toLowerCase(Locale.ROOT);
        if (local.isEmpty() || domain.isEmpty()) {
            throw new BadAliasesFileException(where + ": bad address '" + printable(m) + "'");
        }
        return localDomains.contains(domain) ? local.toLowerCase(Locale.ROOT) : local + "@" + domain;
    }

    /** Client- or file-supplied text for a log line: printable ASCII, at most 100 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 100));
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
