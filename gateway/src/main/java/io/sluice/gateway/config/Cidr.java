package io.sluice.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network such as {@code 127.0.0.0/8} or {@code ::1/128}. Matching allocates nothing beyond
 * {@link InetAddress#getAddress()}.
 */
public record Cidr(byte[] network, int prefixBits, String text) {

    public static Cidr parse(String key, String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new ConfigException(key + ": not an IP network (e.g. 10.0.0.0/8): \"" + text + "\"");
        }
        byte[] bytes;
        try {
            // Literal addresses only: the check above keeps InetAddress from doing a DNS lookup.
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException(key + ": not an IP network (e.g. 10.0.0.0/8): \"" + text + "\"");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new ConfigException(key + ": prefix length must be 0.." + max + ": \"" + text + "\"");
            }
        }
        return new Cidr(bytes, prefix, s);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    /** True for 0.0.0.0/0 or ::/0 and other networks that cover the whole internet. */
    public boolean isEverything() {
        return prefixBits == 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
