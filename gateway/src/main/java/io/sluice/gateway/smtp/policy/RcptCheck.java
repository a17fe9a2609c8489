package io.sluice.gateway.smtp.policy;

import io.sluice.gateway.local.LocalDirectory;
import io.sluice.gateway.smtp.Replies;

import java.util.List;
import java.util.Locale;

/**
 * Decides one RCPT: mail for a local domain is accepted when the user, alias or list exists (else 550 5.1.1);
 * mail for any other domain only from a client in {@code relay.networks} or an authenticated session (else
 * 554 5.7.1). There is no other path to a remote domain, so the gateway is never an open relay. Thread-safe;
 * the directory does no blocking I/O.
 */
public final class RcptCheck {

    private static final Verdict UNKNOWN_USER = Verdict.reject(Replies.NO_SUCH_USER_550);
    private static final Verdict RELAY_DENIED = Verdict.reject(Replies.RELAY_DENIED_554);

    private final LocalDirectory directory;
    private final String hostname;

    public RcptCheck(LocalDirectory directory, String hostname) {
        this.directory = directory;
        this.hostname = hostname;
    }

    /**
     * @param address      the mailbox as the client gave it (a bare {@code postmaster} means postmaster here)
     * @param relayAllowed the client is in relay.networks or has authenticated
     * @param finalOut     receives the final recipients on ACCEPT (the expansion of an alias or list)
     */
    public Verdict check(String address, boolean relayAllowed, List<String> finalOut) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            // RFC 5321 4.5.1: <postmaster> without a domain must be accepted.
            return lookupLocal("postmaster@" + hostname, finalOut);
        }
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (!domain.startsWith("[") && directory.isLocalDomain(domain)) {
            return lookupLocal(address, finalOut);
        }
        if (!relayAllowed) {
            return RELAY_DENIED;
        }
        finalOut.add(address);
        return Verdict.ACCEPT;
    }

    private Verdict lookupLocal(String address, List<String> finalOut) {
        LocalDirectory.Lookup found = directory.lookup(address);
        if (!found.isKnown()) {
            return UNKNOWN_USER;
        }
        finalOut.addAll(found.expanded());
        return Verdict.ACCEPT;
    }
}
