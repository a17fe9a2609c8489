package io.sluice.gateway.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A reused flyweight over one command line in the connection's read buffer: the verb and the argument range.
 * Arguments become a String only when a command needs one (MAIL and RCPT addresses end up in the envelope
 * anyway); NOOP, RSET, DATA, QUIT never allocate. Valid until the next line is read. One per connection.
 */
final class CommandLine {

    private byte[] buf;
    private int argsOffset;
    private int argsLength;

    /** Points at a line; returns the verb. */
    SmtpCommand wrap(byte[] buffer, int offset, int length) {
        buf = buffer;
        SmtpCommand verb = SmtpCommand.of(buffer, offset, length);
        int skip = verb == SmtpCommand.UNKNOWN ? length : Math.min(length, verb.verbLength() + 1);
        argsOffset = offset + skip;
        argsLength = length - skip;
        return verb;
    }

    /** For tests and AUTH continuation lines: the whole text is the argument. */
    CommandLine wrapArgs(byte[] buffer, int offset, int length) {
        buf = buffer;
        argsOffset = offset;
        argsLength = length;
        return this;
    }

    boolean hasArgs() {
        return argsLength > 0;
    }

    byte[] buffer() {
        return buf;
    }

    int argsOffset() {
        return argsOffset;
    }

    int argsLength() {
        return argsLength;
    }

    boolean isAsciiArgs() {
        return io.sluice.gateway.io.Ascii.isAscii(buf, argsOffset, argsLength);
    }

    /** The arguments as text: ASCII as is; otherwise strict UTF-8 (null when the bytes are not valid UTF-8). */
    String args() {
        if (isAsciiArgs()) {
            return new String(buf, argsOffset, argsLength, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(buf, argsOffset, argsLength)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
