package io.sluice.load.generator;

import io.sluice.net.IoDeadlines;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One client SMTP connection, used by one virtual thread: a socket, an output buffer commands and messages are
 * assembled in (so a pipelined group or a whole small message leaves in one write), and a reply reader over a
 * fixed input buffer. Reading a reply allocates nothing unless the caller asks for its text (EHLO only).
 */
final class ClientConnection implements AutoCloseable {

    private final Socket socket;
    /** Read timeouts without SO_TIMEOUT (see IoDeadlines): one sweeper for every connection of this process. */
    private static final IoDeadlines READ_DEADLINES = new IoDeadlines("load-read-deadlines");
    private static final String READ_TIMED_OUT = "read timed out";

    private final IoDeadlines.Deadline readDeadline;
    private final int timeoutMs;
    private InputStream input;
    private OutputStream output;

    private final byte[] out;
    private int outLen;
    private final byte[] in;
    private int pos;
    private int end;

    private boolean offersPipelining;
    private boolean offersStarttls;
    private boolean offersSize;

    private ClientConnection(Socket socket, int timeoutMs, int outBytes, int inBytes) throws IOException {
        this.socket = socket;
        this.timeoutMs = timeoutMs;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
        this.out = new byte[outBytes];
        this.in = new byte[inBytes];
        this.readDeadline = READ_DEADLINES.register(socket); // last: nothing after it can throw and leak it
    }

    /**
     * Connects, reads the banner, says EHLO (and does STARTTLS plus a second EHLO when asked).
     *
     * @param small smaller buffers for hold mode, where 10,000 idle sessions share the heap
     * @return the connection; throws {@link SmtpReplyException} if the banner or EHLO is not 2xx
     */
    static ClientConnection open(InetSocketAddress target, int timeoutMs, String ehloName, SSLContext tls,
                                 boolean small) throws IOException {
        Socket s = new Socket();
        ClientConnection c;
        try {
            s.setTcpNoDelay(true);
            s.connect(target, timeoutMs);
            c = new ClientConnection(s, timeoutMs, small ? 512 : 64 * 1024, small ? 1024 : 8 * 1024);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        try {
            expect(c.readReply(), 2);
            c.ehlo(ehloName);
            if (tls != null) {
                if (!c.offersStarttls) {
                    throw new SmtpReplyException(0, "server does not offer STARTTLS");
                }
                c.command("STARTTLS");
                expect(c.readReply(), 2);
                c.startTls(tls, target);
                c.ehlo(ehloName);
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void ehlo(String name) throws IOException {
        write("EHLO ");
        write(name);
        write("\r\n");
        flush();
        String text = readReplyText();
        int code = lastCode;
        expect(code, 2);
        String upper = text.toUpperCase(java.util.Locale.ROOT);
        offersPipelining = upper.contains("\nPIPELINING") || upper.startsWith("PIPELINING");
        offersStarttls = upper.contains("\nSTARTTLS") || upper.startsWith("STARTTLS");
        offersSize = upper.contains("\nSIZE") || upper.startsWith("SIZE");
    }

    private void startTls(SSLContext tls, InetSocketAddress target) throws IOException {
        if (pos != end) {
            // Data after the 220 would be a STARTTLS injection (CVE-2011-0411 class); refuse to continue.
            throw new SmtpReplyException(0, "server sent data after 220 to STARTTLS");
        }
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory()
                .createSocket(socket, target.getHostString(), target.getPort(), true);
        ssl.setUseClientMode(true);
        readDeadline.arm(timeoutMs);
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            throw readDeadline.timeoutOr(e, READ_TIMED_OUT);
        } finally {
            readDeadline.disarm();
        }
        input = ssl.getInputStream();
        output = ssl.getOutputStream();
    }

    boolean offersPipelining() {
        return offersPipelining;
    }

    /** RFC 1870: SIZE= may be sent only when the server offered the extension. */
    boolean offersSize() {
        return offersSize;
    }

    void command(String line) throws IOException {
        write(line);
        write("\r\n");
        flush();
    }

    void write(String ascii) throws IOException {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            out[outLen++] = (byte) ascii.charAt(i);
        }
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > out.length - outLen) {
            flush();
            if (len > out.length) {
                output.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, out, outLen, len);
        outLen += len;
    }

    /** Decimal digits of a non-negative number, without a String. */
    void writeDecimal(long v) throws IOException {
        ensure(20);
        if (v == 0) {
            out[outLen++] = '0';
            return;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        for (int i = outLen + digits - 1; i >= outLen; i--) {
            out[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        outLen += digits;
    }

    void flush() throws IOException {
        if (outLen > 0) {
            int n = outLen;
            outLen = 0;
            output.write(out, 0, n);
        }
    }

    private void ensure(int n) throws IOException {
        if (n > out.length - outLen) {
            flush();
        }
    }

    private int lastCode;

    /**
     * Reads one whole reply (all continuation lines) and returns its code; 0 if a line is malformed (counted by
     * the caller as a protocol error). Throws {@link EOFException} if the server hung up.
     */
    int readReply() throws IOException {
        int code;
        while (true) {
            int lf = nextLine();
            int len = lf - pos;
            code = len >= 3 ? threeDigits(pos) : 0;
            boolean last = len < 4 || in[pos + 3] != '-';
            pos = lf + 1;
            if (code == 0 || last) {
                lastCode = code;
                return code;
            }
        }
    }

    /** Reads one reply and returns its lines' text after the code, newline-separated (EHLO keywords). */
    private String readReplyText() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int lf = nextLine();
            int len = lf - pos;
            int code = len >= 3 ? threeDigits(pos) : 0;
            boolean last = len < 4 || in[pos + 3] != '-';
            if (len > 4) {
                int textEnd = in[lf - 1] == '\r' ? lf - 1 : lf;
                sb.append(new String(in, pos + 4, Math.max(0, textEnd - pos - 4), StandardCharsets.ISO_8859_1));
            }
            sb.append('\n');
            pos = lf + 1;
            if (code == 0 || last) {
                lastCode = code;
                return sb.toString();
            }
        }
    }

    private int nextLine() throws IOException {
        while (true) {
            for (int i = pos; i < end; i++) {
                if (in[i] == '\n') {
                    return i;
                }
            }
            if (pos > 0) {
                System.arraycopy(in, pos, in, 0, end - pos);
                end -= pos;
                pos = 0;
            }
            if (end == in.length) {
                // A reply line longer than our buffer: RFC 5321 4.5.3.1.5 allows 512 octets. Treat as malformed.
                end = 0;
                throw new SmtpReplyException(0, "reply line too long");
            }
            int n = read();
            if (n < 0) {
                throw new EOFException("server closed the connection");
            }
            end += n;
        }
    }

    /** One blocking read under the per-reply timeout. */
    private int read() throws IOException {
        readDeadline.arm(timeoutMs);
        int n;
        try {
            n = input.read(in, end, in.length - end);
        } catch (IOException e) {
            throw readDeadline.timeoutOr(e, READ_TIMED_OUT);
        } finally {
            readDeadline.disarm();
        }
        if (n < 0) {
            readDeadline.throwIfFired(READ_TIMED_OUT);
        }
        return n;
    }

    private int threeDigits(int at) {
        int a = in[at] - '0';
        int b = in[at + 1] - '0';
        int c = in[at + 2] - '0';
        if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) {
            return 0;
        }
        return a * 100 + b * 10 + c;
    }

    private static void expect(int code, int klass) throws SmtpReplyException {
        if (code / 100 != klass) {
            throw new SmtpReplyException(code, "unexpected reply " + code);
        }
    }

    /** Sends QUIT and waits briefly for 221; any failure is ignored (we are leaving anyway). */
    void quit() {
        try {
            command("QUIT");
            readReply();
        } catch (IOException e) {
            // the server may close first
        }
    }

    @Override
    public void close() {
        readDeadline.release();
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
