package io.sluice.gateway.pop3;

import io.sluice.net.IoDeadlines;
import io.sluice.gateway.local.LocalMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Set;

/**
 * Owns one POP3 socket on its own virtual thread: reads a line, finds the verb, asks {@link Pop3Session}, writes
 * the reply (streaming message bodies), and handles the three things the session cannot: the login-failure
 * delay, the STLS handshake, and the idle timeout. Replies are flushed only when no further pipelined command is
 * already buffered (RFC 2449 PIPELINING).
 *
 * <p>Expected endings (QUIT, hang-up, timeout, TLS failure) are not errors: one INFO line when a logged-in
 * session ends without QUIT, nothing otherwise. A bug ends only this connection, with one ERROR and its stack.
 */
final class Pop3Connection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Connection.class);

    private final String id;
    private final Socket raw;
    private Socket socket;
    private final boolean isImplicitTls;
    private final Pop3Tls tls;
    private final Duration loginFailureDelay;
    private final Pop3Session session;
    /** The idle timeout: ends a blocked read (or handshake) by shutting down the input; see IoDeadlines. */
    private final IoDeadlines.Deadline readDeadline;
    private final int timeoutMs;
    private final MessageStreamer streamer = new MessageStreamer();
    private String lastVerb = "CONNECT";

    Pop3Connection(String id, Socket socket, boolean isImplicitTls, Pop3Tls tls, LocalMail local,
                   Set<String> lockedMailboxes, boolean plaintextOnLoopback, Duration timeout, Duration loginFailureDelay,
                   IoDeadlines deadlines) {
        this.id = id;
        this.socket = socket;
        this.isImplicitTls = isImplicitTls;
        this.tls = tls;
        this.loginFailureDelay = loginFailureDelay;
        this.raw = socket;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        boolean inClearAllowed = plaintextOnLoopback && socket.getInetAddress().isLoopbackAddress();
        this.session = new Pop3Session(local, lockedMailboxes, isImplicitTls, tls != null, inClearAllowed);
        this.readDeadline = deadlines.register(socket::shutdownInput);
    }

    @Override
    public void run() {
        String outcome = null;
        OutputStream out = null;
        try {
            if (isImplicitTls) {
                socket = handshake();
            }
            Pop3LineReader reader = new Pop3LineReader(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            out.write(Pop3Replies.GREETING.wire());
            out.flush();
            while (true) {
                int n = readLine(reader);
                if (n == Pop3LineReader.EOF) {
                    outcome = "lost connection";
                    break;
                }
                Pop3Reply reply;
                if (n == Pop3LineReader.TOO_LONG) {
                    reply = Pop3Replies.LINE_TOO_LONG;
                    lastVerb = "(too long)";
                } else {
                    Pop3Command verb = Pop3Command.find(reader.buffer(), reader.start(), n);
                    lastVerb = verb == null ? "(unknown)" : verb.name();
                    reply = session.onCommand(verb, argumentsOf(reader.buffer(), reader.start(), n));
                }
                if (reply.isLoginFailure() && !loginFailureDelay.isZero()) {
                    out.flush();
                    Thread.sleep(loginFailureDelay);
                }
                write(out, reply);
                if (!reader.hasBuffered() || reply.closesConnection() || reply.startsTls()) {
                    out.flush();
                }
                if (reply.closesConnection()) {
                    outcome = reply.isOk() ? null : reply.statusLine();
                    break;
                }
                if (reply.startsTls()) {
                    socket = handshake();
                    reader.switchTo(socket.getInputStream());
                    out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
                    session.onTlsStarted();
                }
            }
        } catch (SocketTimeoutException e) {
            outcome = "timeout";
            tryWrite(out, Pop3Replies.TIMEOUT);
        } catch (SSLException e) {
            outcome = "TLS failed: " + e.getMessage();
        } catch (IOException e) {
            outcome = "I/O: " + e.getMessage();
        } catch (InterruptedException e) {
            outcome = "shutdown";
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            outcome = "internal error";
            LOG.error("{} pop3 internal error after {}", id, lastVerb, e);
            tryWrite(out, Pop3Replies.INTERNAL_ERROR);
        } finally {
            readDeadline.release();
            session.close();
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing after an error; nothing more to do
            }
        }
        if (outcome != null && session.user() != null && LOG.isInfoEnabled()) {
            LOG.info("{} pop3 {} user {} ended without QUIT after {}: {} (deletions not applied)", id,
                socket.getInetAddress().getHostAddress(), session.user(), lastVerb, outcome);
        }
    }

    /** One command line within the idle timeout; a read cut short by the deadline is a timeout. */
    private int readLine(Pop3LineReader reader) throws IOException {
        readDeadline.arm(timeoutMs);
        int n;
        try {
            n = reader.readLine();
        } catch (IOException e) {
            throw readDeadline.timeoutOr(e, "idle");
        } finally {
            readDeadline.disarm();
        }
        if (n == Pop3LineReader.EOF) {
            readDeadline.throwIfFired("idle");
        }
        return n;
    }

    /** The TLS handshake (implicit or after STLS) within the same timeout. */
    private Socket handshake() throws IOException {
        readDeadline.arm(timeoutMs);
        try {
            return tls.wrap(raw);
        } catch (IOException e) {
            throw readDeadline.timeoutOr(e, "TLS handshake");
        } finally {
            readDeadline.disarm();
        }
    }

    private void write(OutputStream out, Pop3Reply reply) throws IOException {
        out.write(reply.wire());
        if (reply.message() != null) {
            try (InputStream in = Files.newInputStream(reply.message())) {
                streamer.send(in, out, reply.topBodyLines());
            } catch (NoSuchFileException e) {
                // Removed behind our back (another process): the +OK is out, so end the response cleanly.
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static void tryWrite(OutputStream out, Pop3Reply reply) {
        if (out == null) {
            return;
        }
        try {
            out.write(reply.wire());
            out.flush();
        } catch (IOException ignored) {
            // the client is gone; the reply was a courtesy
        }
    }

    /** The text after the verb and one space; POP3 arguments are ASCII but PASS may carry UTF-8. */
    private static String argumentsOf(byte[] buf, int start, int length) {
        int i = start;
        int end = start + length;
        while (i < end && buf[i] != ' ') {
            i++;
        }
        return i >= end ? "" : new String(buf, i + 1, end - i - 1, StandardCharsets.UTF_8);
    }
}
