package io.sluice.gateway.local;

import io.sluice.gateway.local.LocalDirectory.Kind;
import io.sluice.gateway.local.LocalDirectory.Lookup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One immutable snapshot of users plus aliases, with every alias and list expanded once when the snapshot is
 * built (so RCPT-time lookups are a hash lookup, and loops are found and logged once per reload rather than per
 * message). {@link LocalMail} swaps snapshots atomically when a file changes.
 *
 * <p>Expansion rules: nested aliases are followed depth-first; duplicates are removed keeping the first
 * occurrence; a name met again on its own expansion path is a loop and is cut, except that a name which is also a
 * user delivers to that user (the classic {@code fred: fred, fred@elsewhere} "keep a copy" entry). Local names
 * that are neither user nor alias stay in the expansion (delivery bounces them with 5.1.1, so the sender learns)
 * and are reported as warnings. {@code postmaster} always exists (RFC 5321 4.5.1): an alias if one is defined,
 * else its own mailbox.
 */
final class Directory {

    static final String POSTMASTER = "postmaster";
    /** Guards against a file of lists that each include several others many levels deep (exponential blow-up). */
    private static final int MAX_EXPANSION_STEPS = 1_000_000;

    private final List<String> domains;
    private final Map<String, UsersFile.User> users;
    private final Map<String, AliasFile.Entry> aliases;
    /** Alias name to its final targets: bare local parts (users, or unknown names) and remote addresses. */
    private final Map<String, List<String>> expansions = new HashMap<>();
    private final LinkedHashSet<String> warnings = new LinkedHashSet<>();
    private int steps;

    Directory(List<String> domains, Map<String, UsersFile.User> users, AliasFile aliases) {
        this.domains = List.copyOf(domains);
        this.users = Map.copyOf(users);
        this.aliases = aliases.entries;
        for (String name : this.aliases.keySet()) {
            LinkedHashSet<String> out = new LinkedHashSet<>();
            steps = 0;
            expand(name, new ArrayDeque<>(), out);
            expansions.put(name, List.copyOf(out));
        }
    }

    /** Problems found while expanding (loops, unknown members); logged by the caller when a snapshot is new. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    UsersFile.User user(String name) {
        return users.get(name.toLowerCase(Locale.ROOT));
    }

    /** True for a name that has a mailbox: a user, or postmaster when it is not an alias. */
    boolean hasMailbox(String localPart) {
        String l = localPart.toLowerCase(Locale.ROOT);
        return users.containsKey(l) || (l.equals(POSTMASTER) && !aliases.containsKey(l));
    }

    /** The expansion of an alias as bare local parts and remote addresses, or null when not an alias. */
    List<String> expansion(String localPart) {
        return expansions.get(localPart.toLowerCase(Locale.ROOT));
    }

    Lookup lookup(String address) {
        int at = address.lastIndexOf('@');
        String local = (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
        String domain = at < 0 ? domains.get(0) : address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (local.isEmpty() || !domains.contains(domain)) {
            return Lookup.unknown();
        }
        String canonical = local + "@" + domain;
        AliasFile.Entry alias = aliases.get(local);
        if (alias != null) {
            return new Lookup(alias.isList() ? Kind.LIST : Kind.ALIAS, canonical, "",
                qualify(alias.members(), domain), qualify(expansions.get(local), domain));
        }
        UsersFile.User user = users.get(local);
        if (user != null) {
            return new Lookup(Kind.USER, canonical, user.fullName(), List.of(), List.of(canonical));
        }
        if (local.equals(POSTMASTER)) {
            return new Lookup(Kind.USER, canonical, "Postmaster", List.of(), List.of(canonical));
        }
        return Lookup.unknown();
    }

    private static List<String> qualify(List<String> targets, String domain) {
        List<String> out = new ArrayList<>(targets.size());
        for (String t : targets) {
            out.add(t.indexOf('@') < 0 ? t + "@" + domain : t);
        }
        return out;
    }

    /** The loop through {@code m} on {@code path}, rotated to start at its smallest name so it is reported once. */
    private static String cycle(ArrayDeque<String> path, String m) {
        List<String> names = new ArrayList<>(path);
        List<String> loop = new ArrayList<>(names.subList(names.indexOf(m), names.size()));
        int min = loop.indexOf(java.util.Collections.min(loop));
        java.util.Collections.rotate(loop, -min);
        loop.add(loop.get(0));
        return String.join(" -> ", loop);
    }

    private void expand(String name, ArrayDeque<String> path, LinkedHashSet<String> out) {
        path.addLast(name);
        for (String m : aliases.get(name).members()) {
            if (++steps > MAX_EXPANSION_STEPS) {
                warnings.add("aliases: expansion of " + path.getFirst() + " is too large; cut at "
                    + MAX_EXPANSION_STEPS + " steps");
                break;
            }
            if (m.indexOf('@') >= 0) {
                out.add(m);
            } else if (path.contains(m)) {
                if (hasMailbox(m)) {
                    out.add(m);
                } else {
                    warnings.add("aliases: loop " + cycle(path, m) + " cut");
                }
            } else if (aliases.containsKey(m)) {
                expand(m, path, out);
            } else {
                if (!hasMailbox(m)) {
                    warnings.add("aliases: " + name + ": member " + m + " is neither a user nor an alias");
                }
                out.add(m);
            }
        }
        path.removeLast();
    }
}
