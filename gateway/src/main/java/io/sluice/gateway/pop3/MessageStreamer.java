package io.sluice.gateway.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Sends a stored message as a POP3 multi-line response body (RFC 1939 3): a '.' at the start of a line gets
 * another '.' in front, the body ends with CRLF (added if the file lacks it) and the terminating {@code .CRLF}.
 * For TOP, stops after the header, the blank line and the first N body lines. Works on 64 KiB chunks, copying runs
 * between the bytes that need attention; never holds the whole message.
 *
 * <p>One instance per connection thread (it owns its buffer).
 */
final class MessageStreamer {

    private static final byte[] TERMINATOR = {'.', '\r', '\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    private final byte[] buf = new byte[64 * 1024];

    /** Streams {@code in}; {@code topBodyLines < 0} sends everything. */
    void send(InputStream in, OutputStream out, long topBodyLines) throws IOException {
        boolean atLineStart = true;
        boolean inHeader = true;
        boolean lineEmpty = true;
        long bodyLinesLeft = topBodyLines;
        byte last = '\n';
        byte beforeLast = '\r';
        int n;
        outer:
        while ((n = in.read(buf)) > 0) {
            int runStart = 0;
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (atLineStart && b == '.') {
                    out.write(buf, runStart, i - runStart);
                    out.write('.');
                    runStart = i;
                }
                atLineStart = false;
                if (b == '\n') {
                    atLineStart = true;
                    if (topBodyLines >= 0 && (inHeader ? lineEmpty : true)) {
                        boolean headerEnds = inHeader;
                        inHeader = false;
                        if (headerEnds ? bodyLinesLeft == 0 : --bodyLinesLeft <= 0) {
                            out.write(buf, runStart, i + 1 - runStart);
                            beforeLast = i > 0 ? buf[i - 1] : last;
                            last = '\n';
                            break outer;
                        }
                    }
                    lineEmpty = true;
                } else if (b != '\r') {
                    lineEmpty = false;
                }
            }
            out.write(buf, runStart, n - runStart);
            beforeLast = n >= 2 ? buf[n - 2] : last;
            last = buf[n - 1];
        }
        if (last != '\n' || beforeLast != '\r') {
            out.write(CRLF);
        }
        out.write(TERMINATOR);
    }
}
