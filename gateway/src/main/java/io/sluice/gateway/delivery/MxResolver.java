package io.sluice.gateway.delivery;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a next hop into the ordered list of addresses to try (RFC 5321 5.1): MX records by preference, shuffled
 * among equal preferences (load spreading, as the RFC asks); without MX records the domain's own A/AAAA records
 * (the implicit MX); a null MX ({@code 0 .}, RFC 7505) is a permanent failure, as is NXDOMAIN; SERVFAIL and
 * timeouts are temporary. Answers, including negative ones, are cached for their TTL by dnsjava's {@link Cache},
 * private to this resolver. Blocking: call it on a delivery thread. Thread-safe.
 */
final class MxResolver {

    /** Most MX hosts tried for one domain (Postfix's smtp_mx_address_limit is 5 addresses; hosts are fewer). */
    static final int MAX_MX_HOSTS = 10;

    /** The outcome: addresses to try in order, or why there are none. */
    record Resolution(List<Target> targets, SmtpReply failure) {
        static Resolution ok(List<Target> targets) {
            return new Resolution(List.copyOf(targets), null);
        }

        static Resolution failed(int code, String text) {
            return new Resolution(List.of(), SmtpReply.of(code, text));
        }

        boolean isOk() {
            return failure == null;
        }
    }

    /** One address to connect to, with the host name it came from (for TLS, logs and Remote-MTA). */
    record Target(String hostName, InetSocketAddress address) {
    }

    /**
     * The last address literal resolved (typically the relayhost, asked once per job): parsing it again cost 2% of
     * the gateway's CPU samples relaying at ~3,500 msgs/s. A literal never changes meaning, so it never expires.
     */
    private volatile LiteralRoute lastLiteral;

    private record LiteralRoute(String host, int port, Resolution resolution) {
    }

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);

    /**
     * @param resolverAddress {@code host} or {@code host:port} of the recursive resolver; empty for the system's
     * @param timeout         per-query timeout
     */
    MxResolver(String resolverAddress, Duration timeout) {
        this.resolver = createResolver(resolverAddress, timeout);
    }

    private static Resolver createResolver(String address, Duration timeout) {
        try {
            SimpleResolver r;
            if (address.isEmpty()) {
                r = new SimpleResolver();
            } else {
                int colon = address.lastIndexOf(':');
                boolean hasPort = colon > 0 && address.indexOf(':') == colon;
                r = new SimpleResolver(hasPort ? address.substring(0, colon) : address);
                if (hasPort) {
                    r.setPort(Integer.parseInt(address.substring(colon + 1)));
                }
            }
            r.setTimeout(timeout);
            return r;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("delivery.dns-resolver: unknown host " + address, e);
        }
    }

    /**
     * @param host   the domain (MX lookup) or, with {@code skipMx}, the host to connect to directly
     * @param port   the port every target gets
     */
    Resolution resolve(String host, int port, boolean skipMx) {
        LiteralRoute last = lastLiteral;
        if (last != null && last.port() == port && last.host().equals(host)) {
            return last.resolution();
        }
        InetAddress literal = literalAddress(host);
        if (literal != null) {
            Resolution r = Resolution.ok(List.of(new Target(host, new InetSocketAddress(literal, port))));
            lastLiteral = new LiteralRoute(host, port, r);
            return r;
        }
        Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            return Resolution.failed(550, "5.1.2 bad destination host name: " + host);
        }
        if (skipMx) {
            return addressesOf(name, host, port);
        }
        Lookup mx = lookup(name, Type.MX);
        Record[] answers = mx.run();
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL -> {
                return fromMx(host, answers, port);
            }
            case Lookup.TYPE_NOT_FOUND -> {
                // RFC 5321 5.1: no MX records, so the domain itself is the implicit MX.
                return addressesOf(name, host, port);
            }
            case Lookup.HOST_NOT_FOUND -> {
                return Resolution.failed(550, "5.1.2 Host or domain name not found. Name service error for name="
                    + host + " type=MX: Host not found");
            }
            default -> {
                return Resolution.failed(451, "4.4.3 Host or domain name not found. Name service error for name="
                    + host + " type=MX: Host not found, try again");
            }
        }
    }

    private Resolution fromMx(String domain, Record[] answers, int port) {
        List<MXRecord> mxs = new ArrayList<>(answers.length);
        for (Record r : answers) {
            if (r instanceof MXRecord m) {
                mxs.add(m);
            }
        }
        if (mxs.size() == 1 && mxs.get(0).getTarget().equals(Name.root)) {
            return Resolution.failed(556, "5.1.10 Recipient address rejected: Domain " + domain
                + " does not accept mail (nullMX)");
        }
        // Shuffle first, then a stable sort by preference: random order among equal preferences (RFC 5321 5.1).
        Collections.shuffle(mxs, ThreadLocalRandom.current());
        mxs.sort((a, b) -> Integer.compare(a.getPriority(), b.getPriority()));
        List<Target> targets = new ArrayList<>();
        boolean anyTemporary = false;
        int hosts = 0;
        for (MXRecord m : mxs) {
            if (m.getTarget().equals(Name.root) || hosts++ >= MAX_MX_HOSTS) {
                continue;
            }
            Resolution r = addressesOf(m.getTarget(), m.getTarget().toString(true), port);
            if (r.isOk()) {
                targets.addAll(r.targets());
            } else if (r.failure().isTransient()) {
                anyTemporary = true;
            }
        }
        if (!targets.isEmpty()) {
            return Resolution.ok(targets);
        }
        if (anyTemporary) {
            return Resolution.failed(451, "4.4.3 cannot resolve the MX hosts of " + domain + ", try again");
        }
        return Resolution.failed(550, "5.4.4 Host or domain name not found: no address for the MX hosts of "
            + domain);
    }

    /** A and AAAA records of {@code name}; IPv4 first (this gateway's only route is loopback either way). */
    private Resolution addressesOf(Name name, String label, int port) {
        List<Target> targets = new ArrayList<>();
        int worst = 0;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Lookup l = lookup(name, type);
            Record[] answers = l.run();
            if (l.getResult() == Lookup.SUCCESSFUL) {
                for (Record r : answers) {
                    InetAddress a = r instanceof ARecord ar ? ar.getAddress()
                        : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
                    if (a != null) {
                        targets.add(new Target(label, new InetSocketAddress(a, port)));
                    }
                }
            } else if (l.getResult() == Lookup.TRY_AGAIN || l.getResult() == Lookup.UNRECOVERABLE) {
                worst = Math.max(worst, 1);
            } else if (l.getResult() == Lookup.HOST_NOT_FOUND) {
                worst = Math.max(worst, 2);
            }
        }
        if (!targets.isEmpty()) {
            return Resolution.ok(targets);
        }
        if (worst == 1) {
            return Resolution.failed(451, "4.4.3 Host or domain name not found. Name service error for name="
                + label + " type=A: Host not found, try again");
        }
        return Resolution.failed(550, "5.1.2 Host or domain name not found. Name service error for name="
            + label + " type=A: Host not found");
    }

    private Lookup lookup(Name name, int type) {
        Lookup l = new Lookup(name, type, DClass.IN);
        l.setResolver(resolver);
        l.setCache(cache); // names are absolute (rooted), so no search path is ever appended
        return l;
    }

    /** An IPv4 or bracket-free IPv6 literal, parsed without DNS; null for a host name. */
    private static InetAddress literalAddress(String host) {
        boolean ipv4 = !host.isEmpty() && host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean ipv6 = host.indexOf(':') >= 0;
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(host); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
