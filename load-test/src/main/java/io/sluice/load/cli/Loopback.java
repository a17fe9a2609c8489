package io.sluice.load.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Turns {@code host:port} into a socket address and refuses anything that is not this machine: 127.0.0.0/8,
 * ::1 or the name {@code localhost}. A load generator pointed at someone else's server is an attack, so the
 * check runs before any socket exists, and other names are refused without being resolved (no DNS query
 * leaves the machine either).
 */
public final class Loopback {

    private Loopback() {
    }

    /**
     * Parses {@code 127.0.0.1:2525}, {@code [::1]:2525} and {@code localhost:2525}; a bare {@code ::1:2525} is
     * refused as ambiguous.
     *
     * @param allowPortZero whether port 0 (let the kernel choose, for a listener) is acceptable
     */
    public static InetSocketAddress parse(String hostPort, String what, boolean allowPortZero) {
        String host;
        String portText;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
                throw new UsageException(what + ": expected [ipv6]:port, got '" + hostPort + "'");
            }
            host = hostPort.substring(1, close);
            portText = hostPort.substring(close + 2);
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || hostPort.indexOf(':') != colon) {
                throw new UsageException(what + ": expected host:port (IPv6 as [::1]:port), got '" + hostPort + "'");
            }
            host = hostPort.substring(0, colon);
            portText = hostPort.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new UsageException(what + ": bad port in '" + hostPort + "'");
        }
        if (port < (allowPortZero ? 0 : 1) || port > 65535) {
            throw new UsageException(what + ": port out of range in '" + hostPort + "'");
        }
        return new InetSocketAddress(loopbackAddress(host, what), port);
    }

    /** The address for a literal loopback IP or "localhost"; a usage error for anything else. */
    public static InetAddress loopbackAddress(String host, String what) {
        String refusal = what + ": only loopback targets are allowed (127.0.0.0/8, ::1, localhost), got '" + host
                + "'; this tool must never load a machine other than this one";
        if (host.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        if (!isIpLiteral(host)) {
            throw new UsageException(refusal);
        }
        InetAddress addr;
        try {
            // A literal: getByName parses it without any lookup (isIpLiteral guarantees there is no name).
            addr = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException(what + ": not an IP address: '" + host + "'");
        }
        if (!addr.isLoopbackAddress()) {
            throw new UsageException(refusal);
        }
        return addr;
    }

    private static boolean isIpLiteral(String host) {
        if (host.isEmpty()) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                        || c == ':' || c == '.';
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }
}
