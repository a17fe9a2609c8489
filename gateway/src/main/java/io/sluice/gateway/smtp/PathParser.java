package io.sluice.gateway.smtp;

/**
 * Parses an RFC 5321 4.1.2 path ({@code <local@domain>}, with an optional source route that is ignored as 4.1.1.3
 * allows) and returns the mailbox as written. Local parts may be dot-strings or quoted strings; domains may be
 * names or address literals ({@code [192.0.2.1]}, {@code [IPv6:...]}). Non-ASCII (RFC 6531 UTF-8 addresses) is
 * accepted only when the caller says SMTPUTF8 was given. Stateless; allocates the result String only.
 */
final class PathParser {

    /** Outcome of {@link #parse}: {@code mailbox} is null on failure, and {@code end} is the index after '>'. */
    record Path(String mailbox, int end, boolean nonAscii) {
        boolean isValid() {
            return mailbox != null;
        }
    }

    static final Path INVALID = new Path(null, -1, false);

    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 255;
    private static final int MAX_PATH = 256;

    private PathParser() {
    }

    /**
     * @param s          the argument text
     * @param from       index of the expected '<'
     * @param allowEmpty true for the reverse-path (null sender {@code <>})
     * @param allowBare  true for RCPT: {@code <postmaster>} without a domain (RFC 5321 4.5.1)
     */
    static Path parse(String s, int from, boolean allowEmpty, boolean allowBare) {
        if (from >= s.length() || s.charAt(from) != '<') {
            return INVALID;
        }
        int i = from + 1;
        if (i < s.length() && s.charAt(i) == '@') {
            int colon = s.indexOf(':', i);
            if (colon < 0) {
                return INVALID;
            }
            i = colon + 1; // source route: ignored
        }
        int mailboxStart = i;
        boolean nonAscii = false;
        if (i < s.length() && s.charAt(i) == '>') {
            return allowEmpty && mailboxStart == from + 1 ? new Path("", i + 1, false) : INVALID;
        }
        // local part
        if (i < s.length() && s.charAt(i) == '"') {
            i++;
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= s.length() || s.charAt(i + 1) < 32 || s.charAt(i + 1) == 127) {
                        return INVALID;
                    }
                    i += 2;
                    continue;
                }
                if (c < 32 || c == 127) {
                    return INVALID;
                }
                nonAscii |= c > 127;
                i++;
            }
            if (i >= s.length()) {
                return INVALID;
            }
            i++;
        } else {
            int atomStart = i;
            boolean lastDot = true;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '.') {
                    if (lastDot) {
                        return INVALID;
                    }
                    lastDot = true;
                } else if (isAtext(c)) {
                    lastDot = false;
                    nonAscii |= c > 127;
                } else {
                    break;
                }
                i++;
            }
            if (i == atomStart || lastDot) {
                return INVALID;
            }
        }
        if (i - mailboxStart > MAX_LOCAL + 2) {
            return INVALID;
        }
        if (i < s.length() && s.charAt(i) == '>') {
            if (!allowBare || !s.substring(mailboxStart, i).equalsIgnoreCase("postmaster")) {
                return INVALID;
            }
            return new Path(s.substring(mailboxStart, i), i + 1, false);
        }
        if (i >= s.length() || s.charAt(i) != '@') {
            return INVALID;
        }
        i++;
        int domainStart = i;
        if (i < s.length() && s.charAt(i) == '[') {
            int end = s.indexOf(']', i);
            if (end < 0 || !isAddressLiteral(s.substring(i + 1, end))) {
                return INVALID;
            }
            i = end + 1;
        } else {
            boolean labelStart = true;
            while (i < s.length() && s.charAt(i) != '>') {
                char c = s.charAt(i);
                if (c == '.') {
                    if (labelStart) {
                        return INVALID;
                    }
                    labelStart = true;
                } else if (isLetDig(c) || c > 127) {
                    labelStart = false;
                    nonAscii |= c > 127;
                } else if (c == '-' && !labelStart) {
                    if (i + 1 < s.length() && (s.charAt(i + 1) == '.' || s.charAt(i + 1) == '>')) {
                        return INVALID;
                    }
                } else {
                    return INVALID;
                }
                i++;
            }
            if (labelStart) {
                return INVALID;
            }
        }
        if (i >= s.length() || s.charAt(i) != '>' || i - domainStart > MAX_DOMAIN || i - mailboxStart > MAX_PATH) {
            return INVALID;
        }
        return new Path(s.substring(mailboxStart, i), i + 1, nonAscii);
    }

    private static boolean isLetDig(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** RFC 5322 atext, plus any non-ASCII character (RFC 6531 UTF8-non-ascii; gated by SMTPUTF8 by the caller). */
    private static boolean isAtext(char c) {
        return isLetDig(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0 || c > 127;
    }

    /**
     * IPv4 dotted quad or {@code IPv6:} followed by hex groups, colons and an optional trailing dotted quad.
     * XXX: the IPv6 check is character-level only (no group count); a full check needs an RFC 4291 parser.
     */
    static boolean isAddressLiteral(String lit) {
        if (lit.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = lit.substring(5);
            if (v6.length() < 2 || v6.length() > 45 || v6.indexOf(':') < 0) {
                return false;
            }
            for (int i = 0; i < v6.length(); i++) {
                char c = v6.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            return true;
        }
        String[] parts = lit.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3461 4 xtext: "+" HEXCHAR HEXCHAR encodes one octet; other chars 33..126 except '+' and '='. Null if bad. */
    static String decodeXtext(String x) {
        StringBuilder sb = new StringBuilder(x.length());
        for (int i = 0; i < x.length(); i++) {
            char c = x.charAt(i);
            if (c == '+') {
                if (i + 2 >= x.length()) {
                    return null;
                }
                int hi = Character.digit(x.charAt(i + 1), 16);
                int lo = Character.digit(x.charAt(i + 2), 16);
                if (hi < 0 || lo < 0 || Character.isLowerCase(x.charAt(i + 1)) || Character.isLowerCase(x.charAt(i + 2))) {
                    return null;
                }
                sb.append((char) (hi << 4 | lo));
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return null;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
