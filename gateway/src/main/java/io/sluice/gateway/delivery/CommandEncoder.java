package io.sluice.gateway.delivery;

import io.sluice.spool.Recipient;

/**
 * Encodes the client commands of one transaction (MAIL, RCPT, DATA, BDAT, RSET, QUIT) into a caller-owned byte
 * array, so that with PIPELINING (RFC 2920) MAIL, every RCPT and DATA leave in a single write. Each method takes
 * the array and the position to write at and returns the position after what it wrote. Characters go straight
 * into the array: no String concatenation, no byte[] per command, no CharsetEncoder; ASCII is the common case,
 * other characters (SMTPUTF8 addresses) are written as UTF-8. ESMTP parameter values that may hold arbitrary
 * text (ENVID, ORCPT) are xtext-encoded (RFC 3461 4).
 *
 * <p>Why an array and not the connection's direct ByteBuffer: per-byte {@code put} on a direct buffer costs a
 * bounds and address computation each time (measured: about twice the time of a String-concatenation baseline
 * for one recipient); array stores plus one bulk copy into the direct buffer do not.
 *
 * <p>The caller guarantees {@link #MAX_COMMAND_BYTES} of room before each call. Measured by
 * {@code bench/.../delivery/CommandEncoderBenchmark}. Stateless; thread-safe.
 */
final class CommandEncoder {

    /**
     * Room one command may need: a 256-octet path (RFC 5321 4.5.3.1.3) plus an ORCPT whose every character may
     * expand to three UTF-8 bytes, each written as {@code +XX} (9 bytes per character), with slack.
     */
    static final int MAX_COMMAND_BYTES = 16 * 1024;

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

    private CommandEncoder() {
    }

    /**
     * {@code MAIL FROM:<sender> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8] [RET=..] [ENVID=..]}; each parameter only
     * when the peer announced the extension.
     */
    static int mailFrom(byte[] dst, int pos, String sender, long sizeBytes, String bodyType, boolean smtpUtf8,
                        String dsnRet, String dsnEnvId, PeerCapabilities peer) {
        int p = ascii(dst, pos, "MAIL FROM:<");
        p = text(dst, p, sender);
        dst[p++] = '>';
        if (peer.maxSizeBytes() >= 0) {
            p = ascii(dst, p, " SIZE=");
            p = number(dst, p, sizeBytes);
        }
        if (peer.has8BitMime() && !"7BIT".equalsIgnoreCase(bodyType)) {
            // BINARYMIME only reaches here when the caller checked the peer offers it; otherwise 8BITMIME.
            p = ascii(dst, p, " BODY=");
            p = ascii(dst, p, "BINARYMIME".equalsIgnoreCase(bodyType) && peer.hasBinaryMime() ? "BINARYMIME" : "8BITMIME");
        }
        if (smtpUtf8 && peer.hasSmtpUtf8()) {
            p = ascii(dst, p, " SMTPUTF8");
        }
        if (peer.hasDsn()) {
            if (dsnRet != null) {
                p = ascii(dst, p, " RET=");
                p = ascii(dst, p, dsnRet);
            }
            if (dsnEnvId != null) {
                p = ascii(dst, p, " ENVID=");
                p = xtext(dst, p, dsnEnvId, 0);
            }
        }
        return crlf(dst, p);
    }

    /** {@code RCPT TO:<address> [NOTIFY=..] [ORCPT=type;xtext]}; DSN parameters only when the peer offers DSN. */
    static int rcptTo(byte[] dst, int pos, Recipient rcpt, PeerCapabilities peer) {
        int p = ascii(dst, pos, "RCPT TO:<");
        p = text(dst, p, rcpt.address());
        dst[p++] = '>';
        if (peer.hasDsn()) {
            int flags = rcpt.notifyFlags();
            if (flags != Recipient.NOTIFY_DEFAULT) {
                p = ascii(dst, p, " NOTIFY=");
                if (flags == Recipient.NOTIFY_NEVER) {
                    p = ascii(dst, p, "NEVER");
                } else {
                    boolean first = true;
                    if ((flags & Recipient.NOTIFY_SUCCESS) != 0) {
                        p = ascii(dst, p, "SUCCESS");
                        first = false;
                    }
                    if ((flags & Recipient.NOTIFY_FAILURE) != 0) {
                        p = ascii(dst, p, first ? "FAILURE" : ",FAILURE");
                        first = false;
                    }
                    if ((flags & Recipient.NOTIFY_DELAY) != 0) {
                        p = ascii(dst, p, first ? "DELAY" : ",DELAY");
                    }
                }
            }
            String orcpt = rcpt.orcpt();
            if (orcpt != null) {
                p = ascii(dst, p, " ORCPT=");
                int semi = orcpt.indexOf(';');
                if (semi > 0) {
                    p = ascii(dst, p, orcpt, 0, semi + 1); // the address type and ';', e.g. "rfc822;"
                    p = xtext(dst, p, orcpt, semi + 1);
                } else {
                    p = ascii(dst, p, "rfc822;");
                    p = xtext(dst, p, orcpt, 0);
                }
            }
        }
        return crlf(dst, p);
    }

    static int data(byte[] dst, int pos) {
        return ascii(dst, pos, "DATA\r\n");
    }

    /** {@code BDAT n LAST} (RFC 3030): the whole body as one chunk; the caller writes exactly n bytes after it. */
    static int bdatLast(byte[] dst, int pos, long chunkBytes) {
        int p = ascii(dst, pos, "BDAT ");
        p = number(dst, p, chunkBytes);
        return ascii(dst, p, " LAST\r\n");
    }

    /** A command without parameters beyond ASCII text: EHLO name, RSET, QUIT, STARTTLS. */
    static int line(byte[] dst, int pos, String asciiCommand) {
        return crlf(dst, ascii(dst, pos, asciiCommand));
    }

    private static int crlf(byte[] dst, int p) {
        dst[p] = '\r';
        dst[p + 1] = '\n';
        return p + 2;
    }

    private static int ascii(byte[] dst, int p, String s) {
        return ascii(dst, p, s, 0, s.length());
    }

    private static int ascii(byte[] dst, int p, String s, int from, int to) {
        for (int i = from; i < to; i++) {
            dst[p++] = (byte) s.charAt(i);
        }
        return p;
    }

    /** UTF-8 without a CharsetEncoder: addresses are short, and this keeps the path allocation-free. */
    private static int text(byte[] dst, int p, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                dst[p++] = (byte) c;
            } else {
                int cp = c;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, s.charAt(++i));
                }
                p = utf8(dst, p, cp);
            }
        }
        return p;
    }

    private static int utf8(byte[] dst, int p, int cp) {
        if (cp < 0x80) {
            dst[p++] = (byte) cp;
        } else if (cp < 0x800) {
            dst[p++] = (byte) (0xC0 | (cp >> 6));
            dst[p++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            dst[p++] = (byte) (0xE0 | (cp >> 12));
            dst[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            dst[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            dst[p++] = (byte) (0xF0 | (cp >> 18));
            dst[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            dst[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            dst[p++] = (byte) (0x80 | (cp & 0x3F));
        }
        return p;
    }

    /** RFC 3461 4: '+', '=', controls, space and every byte of non-ASCII characters become {@code +XX}. */
    private static int xtext(byte[] dst, int p, String s, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c > ' ' && c < 0x7F && c != '+' && c != '=') {
                dst[p++] = (byte) c;
            } else if (c < 0x80) {
                p = hexByte(dst, p, c);
            } else {
                int cp = c;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, s.charAt(++i));
                }
                // Encode the UTF-8 bytes at the end of the room we may use, then escape them in place order.
                int start = p + 12;
                int end = utf8(dst, start, cp);
                for (int j = start; j < end; j++) {
                    int b = dst[j] & 0xFF;
                    p = hexByte(dst, p, b);
                }
            }
        }
        return p;
    }

    private static int hexByte(byte[] dst, int p, int b) {
        dst[p] = '+';
        dst[p + 1] = HEX[b >> 4];
        dst[p + 2] = HEX[b & 0xF];
        return p + 3;
    }

    private static int number(byte[] dst, int p, long value) {
        if (value == 0) {
            dst[p] = '0';
            return p + 1;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10) {
            digits++;
        }
        int end = p + digits;
        for (long v = value; v > 0; v /= 10) {
            dst[--end] = (byte) ('0' + (v % 10));
        }
        return p + digits;
    }
}
