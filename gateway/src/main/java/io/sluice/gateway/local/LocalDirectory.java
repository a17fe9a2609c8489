package io.sluice.gateway.local;

import java.util.List;

/**
 * Who lives here: local domains, users, aliases and lists. The SMTP receiver asks it at RCPT time (accept or
 * {@code 550 5.1.1}), for VRFY/EXPN, and for AUTH; it expands aliases and lists into final recipients before
 * the message is spooled. Thread-safe; lookups do no blocking I/O (the aliases file is reloaded in the
 * background when it changes).
 */
public interface LocalDirectory {

    /** True when {@code domain} (any case) is one of {@code local.domains}. */
    boolean isLocalDomain(String domain);

    /**
     * Looks up an address in a local domain. The local part is matched case-insensitively; an address in a
     * non-local domain gives {@link Lookup#unknown()}.
     */
    Lookup lookup(String address);

    /**
     * Checks a password for AUTH and POP3. {@code user} is a bare local user name or {@code user@localdomain}.
     * Constant-time with respect to the stored hash; never logs the password.
     */
    boolean authenticate(String user, char[] password);

    /** What an address is. */
    enum Kind { USER, ALIAS, LIST, UNKNOWN }

    /**
     * The answer to {@link #lookup}.
     *
     * @param kind        what the address is
     * @param address     the canonical address ({@code user@domain}, lower-case local part for users)
     * @param displayName the user's full name for VRFY ("Fred Smith"), or empty
     * @param members     for ALIAS/LIST: the direct members as written (for EXPN); empty otherwise
     * @param expanded    the final recipients after recursive expansion, duplicates removed, loops cut: for a
     *                    USER the user's own address; for ALIAS/LIST local users and remote addresses; empty for
     *                    UNKNOWN (and for a list whose expansion is empty)
     */
    record Lookup(Kind kind, String address, String displayName, List<String> members, List<String> expanded) {

        public Lookup {
            members = List.copyOf(members);
            expanded = List.copyOf(expanded);
        }

        private static final Lookup UNKNOWN = new Lookup(Kind.UNKNOWN, "", "", List.of(), List.of());

        public static Lookup unknown() {
            return UNKNOWN;
        }

        public boolean isKnown() {
            return kind != Kind.UNKNOWN;
        }
    }
}
