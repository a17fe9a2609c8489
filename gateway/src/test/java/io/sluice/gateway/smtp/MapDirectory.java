package io.sluice.gateway.smtp;

import io.sluice.gateway.local.LocalDirectory;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Test fixture: a LocalDirectory backed by maps (a lookup table, not a mock of behaviour under test). */
final class MapDirectory implements LocalDirectory {

    private final Set<String> domains;
    private final Map<String, Lookup> entries = new HashMap<>();
    private final Map<String, String> passwords = new HashMap<>();

    MapDirectory(String... domains) {
        this.domains = Set.of(domains);
    }

    MapDirectory user(String address, String displayName, String password) {
        String a = address.toLowerCase(Locale.ROOT);
        entries.put(a, new Lookup(Kind.USER, a, displayName, List.of(), List.of(a)));
        if (password != null) {
            passwords.put(a, password);
            passwords.put(a.substring(0, a.indexOf('@')), password);
        }
        return this;
    }

    MapDirectory alias(String address, List<String> members, List<String> expanded) {
        String a = address.toLowerCase(Locale.ROOT);
        entries.put(a, new Lookup(Kind.ALIAS, a, "", members, expanded));
        return this;
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    @Override
    public Lookup lookup(String address) {
        int at = address.lastIndexOf('@');
        String a = at < 0 ? address : address.substring(0, at).toLowerCase(Locale.ROOT) + "@" + address.substring(at + 1).toLowerCase(Locale.ROOT);
        return entries.getOrDefault(a, Lookup.unknown());
    }

    @Override
    public boolean authenticate(String user, char[] password) {
        String expected = passwords.get(user.toLowerCase(Locale.ROOT));
        return expected != null && expected.equals(new String(password));
    }
}
