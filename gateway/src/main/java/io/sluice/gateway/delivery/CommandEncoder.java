package io.sluice.gateway.delivery;

import io.sluice.spool.Recipient;

import java.nio.ByteBuffer;

/**
 * Encodes the client commands of one transaction (MAIL, RCPT, DATA, BDAT, RSET, QUIT) into a caller-owned
 * buffer, so that with PIPELINING (RFC 2920) MAIL, every RCPT and DATA leave in a single write. Encodes
 * characters straight into the buffer: no String concatenation, no byte[] per command; ASCII is the common
 * case, other characters (SMTPUTF8 addresses) are written as UTF-8. ESMTP parameter values that may hold
 * arbitrary text (ENVID, ORCPT) are xtext-encoded (RFC 3461 4).
 *
 * <p>Measured by {@code bench/.../delivery/CommandEncoderBenchmark}. Stateless; thread-safe.
 */
final class CommandEncoder {

    /** Longest command this class writes for one recipient with ORCPT and NOTIFY, with slack for UTF-8. */
    static final int MAX_COMMAND_BYTES = 3 * 1024;

    private static final byte[] CRLF = {'\r', '\n'};

    private CommandEncoder() {
    }

    /**
     * {@code MAIL FROM:<sender> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8] [RET=..] [ENVID=..]}; each parameter only
     * when the peer announced the extension.
     */
    static void mailFrom(ByteBuffer dst, String sender, long sizeBytes, String bodyType, boolean smtpUtf8,
                         String dsnRet, String dsnEnvId, PeerCapabilities peer) {
        ascii(dst, "MAIL FROM:<");
        text(dst, sender);
        dst.put((byte) '>');
        if (peer.maxSizeBytes() >= 0) {
            ascii(dst, " SIZE=");
            number(dst, sizeBytes);
        }
        if (peer.has8BitMime() && !"7BIT".equalsIgnoreCase(bodyType)) {
            // BINARYMIME only reaches here when the caller checked the peer offers it; otherwise 8BITMIME.
            ascii(dst, " BODY=");
            ascii(dst, "BINARYMIME".equalsIgnoreCase(bodyType) && peer.hasBinaryMime() ? "BINARYMIME" : "8BITMIME");
        }
        if (smtpUtf8 && peer.hasSmtpUtf8()) {
            ascii(dst, " SMTPUTF8");
        }
        if (peer.hasDsn()) {
            if (dsnRet != null) {
                ascii(dst, " RET=");
                ascii(dst, dsnRet);
            }
            if (dsnEnvId != null) {
                ascii(dst, " ENVID=");
                xtext(dst, dsnEnvId);
            }
        }
        dst.put(CRLF);
    }

    /** {@code RCPT TO:<address> [NOTIFY=..] [ORCPT=rfc822;..]}; DSN parameters only when the peer offers DSN. */
    static void rcptTo(ByteBuffer dst, Recipient rcpt, PeerCapabilities peer) {
        ascii(dst, "RCPT TO:<");
        text(dst, rcpt.address());
        dst.put((byte) '>');
        if (peer.hasDsn()) {
            int flags = rcpt.notifyFlags();
            if (flags != Recipient.NOTIFY_DEFAULT) {
                ascii(dst, " NOTIFY=");
                if (flags == Recipient.NOTIFY_NEVER) {
                    ascii(dst, "NEVER");
                } else {
                    boolean first = true;
                    if ((flags & Recipient.NOTIFY_SUCCESS) != 0) {
                        ascii(dst, "SUCCESS");
                        first = false;
                    }
                    if ((flags & Recipient.NOTIFY_FAILURE) != 0) {
                        ascii(dst, first ? "FAILURE" : ",FAILURE");
                        first = false;
                    }
                    if ((flags & Recipient.NOTIFY_DELAY) != 0) {
                        ascii(dst, first ? "DELAY" : ",DELAY");
                    }
                }
            }
            String orcpt = rcpt.orcpt();
            if (orcpt != null) {
                ascii(dst, " ORCPT=");
                int semi = orcpt.indexOf(';');
                if (semi > 0) {
                    ascii(dst, orcpt, 0, semi + 1); // the address type and ';', e.g. "rfc822;"
                    xtext(dst, orcpt, semi + 1);
                } else {
                    ascii(dst, "rfc822;");
                    xtext(dst, orcpt, 0);
                }
            }
        }
        dst.put(CRLF);
    }

    static void data(ByteBuffer dst) {
        ascii(dst, "DATA\r\n");
    }

    /** {@code BDAT n LAST} (RFC 3030): the whole body as one chunk; the caller writes exactly n bytes after it. */
    static void bdatLast(ByteBuffer dst, long chunkBytes) {
        ascii(dst, "BDAT ");
        number(dst, chunkBytes);
        ascii(dst, " LAST\r\n");
    }

    static void line(ByteBuffer dst, String asciiCommand) {
        ascii(dst, asciiCommand);
        dst.put(CRLF);
    }

    private static void ascii(ByteBuffer dst, String s) {
        ascii(dst, s, 0, s.length());
    }

    private static void ascii(ByteBuffer dst, String s, int from, int to) {
        for (int i = from; i < to; i++) {
            dst.put((byte) s.charAt(i));
        }
    }

    /** UTF-8 without a CharsetEncoder: addresses are short, and this keeps the path allocation-free. */
    private static void text(ByteBuffer dst, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                dst.put((byte) c);
            } else if (c < 0x800) {
                dst.put((byte) (0xC0 | (c >> 6))).put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                dst.put((byte) (0xF0 | (cp >> 18))).put((byte) (0x80 | ((cp >> 12) & 0x3F)))
                    .put((byte) (0x80 | ((cp >> 6) & 0x3F))).put((byte) (0x80 | (cp & 0x3F)));
            } else {
                dst.put((byte) (0xE0 | (c >> 12))).put((byte) (0x80 | ((c >> 6) & 0x3F)))
                    .put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    private static void xtext(ByteBuffer dst, String s) {
        xtext(dst, s, 0);
    }

    /** RFC 3461 4: '+', '=', controls, space and non-ASCII become {@code +XX}. */
    private static void xtext(ByteBuffer dst, String s, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c > ' ' && c < 0x7F && c != '+' && c != '=') {
                dst.put((byte) c);
            } else if (c < 0x80) {
                hexByte(dst, c);
            } else {
                // Non-ASCII in ORCPT/ENVID: xtext has no way but escaping each UTF-8 byte.
                int start = dst.position();
                text(dst, String.valueOf(c));
                int end = dst.position();
                byte[] tmp = new byte[end - start];
                dst.position(start);
                dst.get(tmp);
                dst.position(start);
                for (byte b : tmp) {
                    hexByte(dst, b & 0xFF);
                }
            }
        }
    }

    private static void hexByte(ByteBuffer dst, int b) {
        dst.put((byte) '+').put(HEX[b >> 4]).put(HEX[b & 0xF]);
    }

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

    private static void number(ByteBuffer dst, long value) {
        if (value == 0) {
            dst.put((byte) '0');
            return;
        }
        int start = dst.position();
        long v = value;
        while (v > 0) {
            dst.put((byte) ('0' + (v % 10)));
            v /= 10;
        }
        for (int i = start, j = dst.position() - 1; i < j; i++, j--) {
            byte t = dst.get(i);
            dst.put(i, dst.get(j));
            dst.put(j, t);
        }
    }
}
