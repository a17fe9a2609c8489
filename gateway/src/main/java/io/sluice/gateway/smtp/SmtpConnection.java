package io.sluice.gateway.smtp;

import io.sluice.net.IoDeadlines;
import io.sluice.gateway.io.LineReader;
import io.sluice.gateway.io.ReplyWriter;
import io.sluice.gateway.smtp.SmtpSession.DataOutcome;
import io.sluice.gateway.status.GatewayCounter;
import io.sluice.gateway.status.SessionLog;
import io.sluice.spool.BodyForm;
import io.sluice.spool.MessageId;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One SMTP connection on its own virtual thread: read a line, dispatch it to the {@link SmtpSession}, write the
 * reply; run the DATA/BDAT byte phases through the {@link DataReceiver}; switch to TLS on STARTTLS. Expected
 * conditions (hang-ups, timeouts, resets, handshake failures) end here as a counter and at most one
 * {@link SessionLog} line; anything else is a bug: logged once with its stack, answered with 421 4.3.0, and only
 * this connection ends.
 *
 * <p>Replies of a pipelined batch are collected and flushed together when no further complete command is
 * buffered or a group-ending command was answered (RFC 2920 3.1). Per connection: a 4 KiB read buffer and a
 * 1 KiB write buffer, allocated once.
 */
final class SmtpConnection implements Runnable {

    /** RFC 5321 4.5.3.1.4: 512 octets including CRLF. */
    static final int MAX_COMMAND_OCTETS = 510;
    static final int READ_BUFFER_BYTES = 4096;
    static final int WRITE_BUFFER_BYTES = 1024;

    private final SmtpServer server;
    private final SmtpSettings settings;
    private final String id;
    private final Socket raw;
    private final SSLContext sslContext;
    private final boolean implicitTls;
    private final SmtpSession session;
    /** Ends a read that outlives its timeout by shutting down the input, so the 421 can still be sent. */
    private final IoDeadlines.Deadline readDeadline;
    private final CommandLine line = new CommandLine();
    private Socket socket;
    private LineReader reader;
    private ReplyWriter out;
    private DataReceiver receiver;
    private String lastCommand = "CONNECT";
    /** The id of the message being received; completes the QUEUED_250 reply. */
    private MessageId queuedId;
    private volatile boolean inData;

    SmtpConnection(SmtpServer server, SmtpSettings settings, String id, Socket raw, SSLContext sslContext,
                   boolean implicitTls) {
        this.server = server;
        this.settings = settings;
        this.id = id;
        this.raw = raw;
        this.sslContext = sslContext;
        this.implicitTls = implicitTls;
        this.session = new SmtpSession(settings, raw.getInetAddress(), implicitTls);
        this.readDeadline = server.deadlines().register(raw::shutdownInput);
    }

    boolean isInData() {
        return inData;
    }

    /** Called by the server on shutdown (another thread): wakes a blocked read, which then sees EOF. */
    void wake() {
        try {
            raw.shutdownInput();
        } catch (IOException | RuntimeException ignored) {
            // already closed: nothing to wake
        }
    }

    @Override
    public void run() {
        String reason = null;
        try {
            socket = implicitTls ? handshake(0) : raw;
            if (socket == null) {
                return;
            }
            reader = new LineReader(socket.getInputStream(), READ_BUFFER_BYTES);
            out = new ReplyWriter(socket.getOutputStream(), WRITE_BUFFER_BYTES);
            receiver = new DataReceiver(reader, settings.spool, settings.smtp.maxMessageBytes());
            send(session.greeting());
            reason = loop();
        } catch (SocketTimeoutException e) {
            GatewayCounter.SMTP_TIMEOUTS.increment();
            reason = "timeout";
            trySend(Replies.TIMEOUT_421);
        } catch (IOException e) {
            reason = "lost connection";
        } catch (RuntimeException | Error e) {
            GatewayCounter.SMTP_INTERNAL_ERRORS.increment();
            SessionLog.internalError(id, session.clientAddress(), lastCommand, e);
            trySend(Replies.INTERNAL_ERROR_421);
        } finally {
            long bytes = inData && receiver != null ? receiver.bodyBytes() : -1;
            if (receiver != null) {
                receiver.abort();
            }
            if (reason != null) {
                (bytes >= 0 ? GatewayCounter.SMTP_DISCONNECTS_IN_DATA : GatewayCounter.SMTP_DISCONNECTS).increment();
                SessionLog.abnormalEnd(id, session.clientAddress(), lastCommand, reason, bytes);
            }
            readDeadline.release();
            closeQuietly();
        }
    }

    /** The command loop; returns null on an orderly end, else the reason for the session log. */
    private String loop() throws IOException {
        int commandTimeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.smtp.commandTimeout().toMillis());
        long lineBudgetNs = settings.smtp.dataTotalTimeout().toNanos();
        while (session.state() != SmtpSession.State.CLOSING) {
            if (server.isClosing() && !reader.hasCompleteLine()) {
                send(Replies.SHUTTING_DOWN_421);
                return null;
            }
            if (!reader.hasCompleteLine()) {
                out.flush(); // about to block: send the replies of the batch so far
            }
            reader.setTimeouts(readDeadline, commandTimeoutMs, System.nanoTime() + lineBudgetNs);
            int n = reader.readLine(MAX_COMMAND_OCTETS);
            Reply reply;
            SmtpCommand verb = SmtpCommand.UNKNOWN;
            if (n == LineReader.EOF) {
                if (server.isClosing()) {
                    trySend(Replies.SHUTTING_DOWN_421);
                    return null;
                }
                return "lost connection";
            } else if (n == LineReader.TOO_LONG) {
                reply = session.onLineTooLong();
            } else if (n == LineReader.BARE_LF) {
                reply = session.onBareLineFeed();
            } else if (session.isAwaitingAuthResponse()) {
                reply = session.onAuthResponse(line.wrapArgs(reader.buffer(), reader.lineStart(), n));
            } else {
                verb = line.wrap(reader.buffer(), reader.lineStart(), n);
                lastCommand = verb.name();
                reply = after(verb, session.onCommand(verb, line));
            }
            if (reply == Replies.TOO_MANY_ERRORS_421) {
                write(reply);
                out.flush();
                return "too many errors";
            }
            if (reply != null) {
                write(reply);
                if (reply.closesConnection() || verb.endsPipelineGroup) {
                    out.flush();
                }
            }
        }
        out.flush();
        return null;
    }

    /** The byte phases and the TLS switch that follow some replies; returns the reply still to send, or null. */
    private Reply after(SmtpCommand verb, Reply reply) throws IOException {
        if (reply == Replies.START_DATA_354) {
            send(reply);
            beginMessage(BodyForm.DOT_STUFFED);
            inData = true;
            reader.setTimeouts(readDeadline, dataBlockTimeoutMs(), System.nanoTime() + settings.smtp.dataTotalTimeout().toNanos());
            DataOutcome outcome = receiver.receiveData();
            inData = false;
            return session.onMessageEnd(outcome);
        }
        if (verb == SmtpCommand.BDAT) {
            return bdat(reply);
        }
        if (reply == Replies.READY_FOR_TLS_220) {
            send(reply);
            int injected = reader.available();
            if (injected > 0) {
                // CVE-2011-0411 class: plaintext pipelined after STARTTLS must not be run as if it came over TLS.
                GatewayCounter.SMTP_TLS_INJECTION_DISCARDED.add(injected);
            }
            Socket tls = handshake(injected);
            if (tls == null) {
                session.onCommand(SmtpCommand.QUIT, line);
                return null;
            }
            socket = tls;
            reader.reset(tls.getInputStream());
            out.reset(tls.getOutputStream());
            session.onTlsStarted();
            return null;
        }
        if (receiver.isOpen() && !session.isInBdat()) {
            receiver.abort(); // RSET, EHLO or QUIT in the middle of a BDAT transfer
        }
        return reply;
    }

    private Reply bdat(Reply reply) throws IOException {
        long size = session.chunkBytes();
        if (reply != SmtpSession.READ_CHUNK) {
            if (size > 0) {
                receiver.discardChunk(size);
            }
            if (receiver.isOpen() && !session.isInBdat()) {
                receiver.abort();
            }
            return reply;
        }
        if (!receiver.isOpen()) {
            beginMessage(BodyForm.RAW);
        }
        inData = true;
        reader.setTimeouts(readDeadline, dataBlockTimeoutMs(), System.nanoTime() + settings.smtp.dataTotalTimeout().toNanos());
        DataOutcome outcome = receiver.readChunk(size, session.isLastChunk());
        inData = false;
        return session.isLastChunk() ? session.onMessageEnd(outcome) : session.onChunkEnd(outcome);
    }

    private void beginMessage(BodyForm form) {
        queuedId = receiver.begin(session.envelope(System.currentTimeMillis()), form, session, settings.hostname);
    }

    private int dataBlockTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, settings.smtp.dataBlockTimeout().toMillis());
    }

    /** Returns the TLS socket, or null when the handshake failed (counted; the connection then closes). */
    private Socket handshake(int discardedPlaintext) throws IOException {
        SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(
            raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        tls.setUseClientMode(false);
        readDeadline.arm(settings.smtp.commandTimeout().toMillis());
        try {
            tls.startHandshake();
        } catch (IOException e) {
            GatewayCounter.SMTP_TLS_FAILURES.increment();
            SessionLog.abnormalEnd(id, session.clientAddress(), lastCommand,
                "TLS handshake failed" + (discardedPlaintext > 0 ? " (plaintext injected after STARTTLS)" : ""), -1);
            return null;
        } finally {
            readDeadline.disarm();
        }
        GatewayCounter.SMTP_TLS_HANDSHAKES.increment();
        return tls;
    }

    private void write(Reply reply) throws IOException {
        out.write(reply.wire());
        if (reply == Replies.QUEUED_250) {
            out.writeHex16(queuedId.value());
            out.crlf();
        }
    }

    private void send(Reply reply) throws IOException {
        write(reply);
        out.flush();
    }

    private void trySend(Reply reply) {
        if (out == null) {
            return;
        }
        try {
            send(reply);
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone; nothing more to tell it
        }
    }

    private void closeQuietly() {
        try {
            if (socket != null && socket != raw) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            raw.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
