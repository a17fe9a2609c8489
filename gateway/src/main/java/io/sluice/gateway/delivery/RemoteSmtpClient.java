package io.sluice.gateway.delivery;

import io.sluice.gateway.config.GatewayConfig.TlsPolicy;
import io.sluice.net.IoDeadlines;
import io.sluice.spool.BodyForm;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.RecipientState;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * One outbound SMTP connection: greeting, EHLO (HELO when EHLO is refused), opportunistic or required STARTTLS,
 * then any number of transactions ({@link #send}) until the connection cache closes it with QUIT.
 *
 * <p>Why a blocking {@link SocketChannel} on a virtual thread: straight-line code, and
 * {@link MessageBody#transferTo} can hand the spool's mapped pages to the socket without copying them through
 * the heap (bodies that fit the output buffer are copied into it instead, so body and end-of-data leave in one
 * write). Replies are read through the channel's socket adaptor without {@code SO_TIMEOUT}; every blocking read
 * and write arms this connection's {@link IoDeadlines.Deadline} (the RFC 5321 4.5.3.2 timeouts), whose sweeper
 * closes the socket when it passes. Under TLS the body goes through the {@link SSLSocket} in chunks.
 *
 * <p>With PIPELINING (RFC 2920) MAIL, every RCPT and DATA are encoded into one buffer and leave in one write;
 * the replies are then read in order. Without it, each command waits for its reply. When the caller already holds
 * the next transaction for this connection ({@link Lookahead}), its MAIL, RCPTs and DATA leave in the same write
 * as this body and its dot (RFC 2920 3.1: message content may be the first "command" of a group): one round trip
 * per message instead of two. The connection is then {@link #isPrimed() primed}, and the next {@link #send} must
 * be that transaction.
 *
 * <p>With CHUNKING (RFC 3030) as well, a message that fits the buffer goes as BDAT instead: MAIL, every RCPT,
 * {@code BDAT n LAST} and the message itself leave in one write and all replies come back together, one round
 * trip per message even without a next transaction to pipeline (DATA needs its 354 before the body). When the
 * caller holds the transactions that follow ({@link Following}), they go out whole too (each with an RSET first,
 * since the state after a refused chunk differs between servers) before this one's replies are read, up to
 * {@code delivery.pipeline-depth} messages in flight; each later {@link #send} tops the pipeline up before reading.
 * A DOT_STUFFED body is unstuffed on the way: a BDAT chunk carries the message, not its DATA wire form.
 *
 * <p>Used by one delivery thread at a time (the cache hands it over); not thread-safe.
 */
final class RemoteSmtpClient implements AutoCloseable {

    private static final int OUT_BUFFER_BYTES = 64 * 1024;
    private static final byte[] DOT_CRLF = {'.', '\r', '\n'};
    private static final byte[] CRLF_DOT_CRLF = {'\r', '\n', '.', '\r', '\n'};
    /** Longest {@code BDAT n LAST CRLF}: a long has at most 19 digits. */
    private static final int MAX_BDAT_LINE_BYTES = "BDAT  LAST\r\n".length() + 19;

    private final MxResolver.Target target;
    private final ClientSettings settings;
    private final IoDeadlines.Deadline deadline;
    private final SocketChannel channel;
    private final Socket socket;
    private final ReplyReader replies;
    /** Commands are encoded here ({@link CommandEncoder}), then leave in one write per flush. */
    private final byte[] commands = new byte[OUT_BUFFER_BYTES];
    private int commandBytes;
    /** Plaintext writes go through a direct buffer: a heap buffer would be copied into a temporary one anyway. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER_BYTES);
    private SSLSocket tls;
    private OutputStream tlsOut;
    private PeerCapabilities peer = PeerCapabilities.HELO_ONLY;
    private boolean needsReset;
    private boolean isBroken;
    private int transactions;
    private long idleSinceNs;
    private Runnable onClose = () -> { };
    private boolean hasSentBody;
    private boolean isClosed;
    /** The transaction whose commands went out behind the last body; its replies are unread. Null: none. */
    private Lookahead primed;
    /**
     * Transactions that went out whole (RSET, MAIL, RCPTs, BDAT and the message) behind the current one, oldest
     * first: only their replies are left. At most {@link ClientSettings#pipelineDepth()} - 1.
     */
    private final ArrayDeque<Lookahead> sentWhole = new ArrayDeque<>();
    /** What we were doing, for "lost connection ... while X" diagnostics. */
    private String phase = "connecting";

    private RemoteSmtpClient(MxResolver.Target target, ClientSettings settings, IoDeadlines deadlines,
                             SocketChannel channel) throws IOException {
        this.target = target;
        this.settings = settings;
        this.channel = channel;
        this.deadline = deadlines.register(channel);
        this.socket = channel.socket();
        this.replies = new ReplyReader(socket.getInputStream());
    }

    /**
     * Connects and runs the session up to the first transaction. Throws {@link ProtocolException} with the
     * reply for session-level refusals (greeting not 220, EHLO and HELO refused, TLS required but not possible)
     * and IOException for network failures; either way the caller tries the next address.
     */
    static RemoteSmtpClient open(MxResolver.Target target, boolean isTlsRequired, ClientSettings settings,
                                 IoDeadlines deadlines) throws IOException {
        SocketChannel ch = SocketChannel.open();
        RemoteSmtpClient c = null;
        try {
            ch.socket().setTcpNoDelay(true);
            ch.socket().connect(target.address(), settings.connectTimeoutMs());
            c = new RemoteSmtpClient(target, settings, deadlines, ch);
            c.handshake(isTlsRequired);
            return c;
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            } else {
                ch.close();
            }
            throw e;
        }
    }

    private void handshake(boolean isTlsRequired) throws IOException {
        phase = "receiving the initial server greeting";
        SmtpReply greeting = read(settings.greetingTimeoutMs());
        if (greeting.code() != 220) {
            throw new ProtocolException(greeting);
        }
        ehlo();
        boolean wantTls = isTlsRequired || settings.tlsPolicy() != TlsPolicy.OFF;
        if (wantTls && peer.hasStartTls()) {
            startTls(isTlsRequired);
        } else if (isTlsRequired) {
            throw new ProtocolException("451 4.7.4 TLS is required, but was not offered by host "
                + target.hostName());
        }
    }

    private void ehlo() throws IOException {
        phase = "sending EHLO";
        SmtpReply reply = command("EHLO " + settings.heloName(), settings.commandTimeoutMs());
        if (reply.code() == 250) {
            peer = PeerCapabilities.parse(reply);
            return;
        }
        if (reply.isPermanent()) {
            // RFC 5321 4.1.1.1 / 3.2: an old server refuses EHLO; fall back to HELO.
            phase = "sending HELO";
            reply = command("HELO " + settings.heloName(), settings.commandTimeoutMs());
            if (reply.code() == 250) {
                peer = PeerCapabilities.HELO_ONLY;
                return;
            }
        }
        throw new ProtocolException(reply);
    }

    private void startTls(boolean isTlsRequired) throws IOException {
        phase = "sending STARTTLS";
        SmtpReply reply = command("STARTTLS", settings.commandTimeoutMs());
        if (reply.code() != 220) {
            if (isTlsRequired) {
                throw new ProtocolException("451 4.7.5 TLS is required, but host " + target.hostName()
                    + " refused to start TLS: " + reply);
            }
            return; // opportunistic: carry on in plaintext, as Postfix's "may" level does
        }
        SSLContext ctx = isTlsRequired ? settings.verifiedTls() : settings.opportunisticTls();
        try {
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, target.hostName(),
                target.address().getPort(), true);
            s.setUseClientMode(true);
            if (isTlsRequired && settings.verifyRequiredTls()) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 6125 host name check against the MX name
                s.setSSLParameters(p);
            }
            phase = "performing the TLS handshake";
            deadline.arm(settings.commandTimeoutMs());
            try {
                s.startHandshake();
            } catch (IOException e) {
                throw timeoutOr(e);
            } finally {
                deadline.disarm();
            }
            replies.switchTo(s.getInputStream());
            tls = s;
            tlsOut = s.getOutputStream();
        } catch (SSLException e) {
            throw new ProtocolException("421 4.7.5 TLS handshake with " + target.hostName() + " failed: "
                + e.getMessage());
        }
        ehlo(); // RFC 3207 4.2: forget everything learned before TLS
    }

    /** The next transaction for this connection, known before the current one ends. */
    record Lookahead(Envelope envelope, int[] recipientIndexes, long bodyBytes) {
    }

    /**
     * The transactions that will follow the current one on this connection, in order (those already on the wire
     * first), and how to read the body of the i-th; {@code mayAddMore} false (shutting down): put nothing more on
     * the wire, only finish what is there.
     */
    record Following(List<Lookahead> transactions, IntFunction<Optional<MessageBody>> bodies, boolean mayAddMore) {
        /** The next transaction, if it may be pipelined behind this one; else null. */
        Lookahead next() {
            return mayAddMore && !transactions.isEmpty() ? transactions.get(0) : null;
        }
    }

    /**
     * Runs one mail transaction for {@code recipientIndexes} of {@code entry}. Returns one result per index, in
     * the same order. Throws IOException when the connection fails midway; the caller defers what is left.
     *
     * @param following the transactions that will follow on this connection (at most as many as it may still
     *                  carry); when the first can be pipelined behind this one (its commands, or whole with as many
     *                  after it as the pipeline depth allows), {@link #isPrimed()} is true afterwards and the next
     *                  call must send exactly that first one, with the rest of this list
     */
    List<DeliveryResult> send(Envelope env, int[] recipientIndexes, MessageBody body, Following following)
        throws IOException {
        List<DeliveryResult> results = new ArrayList<>(recipientIndexes.length);
        Lookahead wasPrimed = primed;
        primed = null;
        Lookahead wasSentWhole = sentWhole.pollFirst();
        Lookahead onWire = wasPrimed != null ? wasPrimed : wasSentWhole;
        if (onWire != null && (onWire.envelope() != env || onWire.recipientIndexes() != recipientIndexes)) {
            isBroken = true; // a caller bug: what is on the wire is for another message
            throw new ProtocolException("451 4.3.0 internal error: pipelined transaction mismatch");
        }
        if (wasSentWhole != null) {
            return finishWhole(recipientIndexes, following);
        }
        Lookahead next = following.next();
        SmtpReply refusal = wasPrimed != null ? null : precheck(env, body.length());
        if (refusal != null) {
            for (int idx : recipientIndexes) {
                results.add(result(idx, refusal));
            }
            return results;
        }
        if (needsReset && wasPrimed == null) {
            phase = "sending RSET";
            SmtpReply rset = command("RSET", settings.commandTimeoutMs());
            if (rset.code() != 250) {
                isBroken = true;
                throw new ProtocolException(rset);
            }
            needsReset = false;
        }
        transactions++;
        hasSentBody = false;
        needsReset = true; // until the transaction completes
        boolean isPipelined = peer.hasPipelining();
        boolean mayChunk = mayChunk(env);
        if (mayChunk && isPipelined && wasPrimed == null) {
            List<DeliveryResult> sent = sendWhole(env, recipientIndexes, body, following);
            if (sent != null) {
                return sent;
            }
        }
        // Too large for one write: a RAW body still goes by BDAT (in two round trips), a stuffed one by DATA
        // (straight from the spool's pages, no unstuffing pass).
        boolean useBdat = mayChunk && body.form() == BodyForm.RAW;
        int n = recipientIndexes.length;

        phase = "sending MAIL FROM";
        SmtpReply mail;
        SmtpReply[] rcpt = new SmtpReply[n];
        SmtpReply dataReply = null;
        if (isPipelined) {
            if (wasPrimed == null) {
                commandBytes = encodeCommands(0, env, recipientIndexes, body.length(), useBdat, true);
                flush();
            }
            mail = read(settings.commandTimeoutMs());
            phase = "sending RCPT TO";
            for (int i = 0; i < n; i++) {
                rcpt[i] = read(settings.commandTimeoutMs());
            }
            if (!useBdat) {
                phase = "sending DATA";
                dataReply = read(settings.commandTimeoutMs());
            }
        } else {
            commandBytes = CommandEncoder.mailFrom(commands, 0, env.sender(), body.length(), env.bodyType(),
                env.smtpUtf8(), env.dsnRet(), env.dsnEnvId(), peer);
            flush();
            mail = read(settings.commandTimeoutMs());
            if (mail.isPositive()) {
                phase = "sending RCPT TO";
                for (int i = 0; i < n; i++) {
                    commandBytes = CommandEncoder.rcptTo(commands, 0, env.recipients().get(recipientIndexes[i]), peer);
                    flush();
                    rcpt[i] = read(settings.commandTimeoutMs());
                }
            }
        }
        int accepted = accepted(mail, rcpt);
        if (accepted == 0) {
            if (dataReply != null && dataReply.code() == 354) {
                // RFC 2920 3.1: the server took DATA although no recipient was accepted; end the empty message.
                writeRaw(DOT_CRLF);
                read(settings.dataDoneTimeoutMs());
            }
            for (int i = 0; i < n; i++) {
                results.add(result(recipientIndexes[i], rcpt[i]));
            }
            return results;
        }
        SmtpReply finalReply;
        if (useBdat) {
            phase = "sending message body";
            commandBytes = CommandEncoder.bdatLast(commands, 0, body.length());
            flush();
            writeBody(body, false, null);
            finalReply = read(settings.dataDoneTimeoutMs());
        } else {
            if (dataReply == null) {
                phase = "sending DATA";
                commandBytes = CommandEncoder.data(commands, 0);
                flush();
                dataReply = read(settings.commandTimeoutMs());
            }
            if (dataReply.code() == 354) {
                phase = "sending message body";
                writeBody(body, true, isPipelined ? next : null);
                phase = "sending end of data -- message may be sent more than once";
                finalReply = read(settings.dataDoneTimeoutMs());
            } else {
                finalReply = dataReply;
            }
        }
        if (finalReply.isPositive() || dataReply == null || dataReply.code() == 354) {
            needsReset = false; // the transaction ended (either way) with the final reply
        }
        for (int i = 0; i < n; i++) {
            results.add(result(recipientIndexes[i], rcpt[i].isPositive() ? finalReply : rcpt[i]));
        }
        return results;
    }

    /** BDAT is allowed for this message on this connection: offered, and enabled or needed (BINARYMIME). */
    private boolean mayChunk(Envelope env) {
        return peer.hasChunking() && (settings.chunking() || "BINARYMIME".equalsIgnoreCase(env.bodyType()));
    }

    /**
     * The whole transaction, and as many of {@code following} whole behind it as the pipeline depth allows and the
     * buffer holds, in one write; then this one's replies. Null, with nothing sent, when this one does not fit.
     */
    private List<DeliveryResult> sendWhole(Envelope env, int[] recipientIndexes, MessageBody body,
                                           Following following) throws IOException {
        phase = "sending MAIL FROM";
        int end = stage(0, env, recipientIndexes, body, false);
        if (end < 0) {
            return null;
        }
        end = stageAhead(end, following);
        hasSentBody = true; // from here on the server may have the message
        writeStaged(0, end, settings.dataBlockTimeoutMs());
        return readBdatReplies(recipientIndexes, false);
    }

    /**
     * This transaction went out whole behind an earlier one: tops the pipeline up from {@code following} before
     * waiting for its replies, so the peer always has the next messages to work on.
     */
    private List<DeliveryResult> finishWhole(int[] recipientIndexes, Following following) throws IOException {
        transactions++;
        hasSentBody = true;
        int end = stageAhead(0, following);
        if (end > 0) {
            writeStaged(0, end, settings.dataBlockTimeoutMs());
        }
        return readBdatReplies(recipientIndexes, true);
    }

    /**
     * Stages, from {@code at}, the transactions of {@code following} that are not on the wire yet, whole, while the
     * pipeline depth, the buffer and their form allow (in order: the first that cannot go stops it), and queues each
     * as sent. Returns where the staged bytes end ({@code at} if none).
     */
    private int stageAhead(int at, Following following) throws IOException {
        List<Lookahead> txs = following.transactions();
        int onWire = sentWhole.size();
        Iterator<Lookahead> sent = sentWhole.iterator();
        for (int i = 0; i < onWire && i < txs.size(); i++) {
            Lookahead t = sent.next();
            if (txs.get(i).envelope() != t.envelope() || txs.get(i).recipientIndexes() != t.recipientIndexes()) {
                isBroken = true; // a caller bug: the list does not start with what is on the wire
                throw new ProtocolException("451 4.3.0 internal error: pipelined transaction mismatch");
            }
        }
        if (!following.mayAddMore()) {
            return at;
        }
        int end = at;
        int last = Math.min(txs.size(), settings.pipelineDepth() - 1);
        for (int i = onWire; i < last && canSendWhole(txs.get(i)); i++) {
            Lookahead t = txs.get(i);
            Optional<MessageBody> body = following.bodies().apply(i);
            if (body.isEmpty()) {
                break; // reclaimed meanwhile: its own turn finds that out
            }
            int staged;
            try (MessageBody b = body.get()) {
                staged = stage(end, t.envelope(), t.recipientIndexes(), b, true);
            } catch (IOException e) {
                break; // its body cannot be read now: not this message's failure; its own turn reports it
            }
            if (staged < 0) {
                break;
            }
            sentWhole.addLast(t);
            end = staged;
        }
        return end;
    }

    /**
     * True when {@code next} can go out whole behind the current transaction: BDAT with PIPELINING, within the
     * peer's limits, and small enough to be staged.
     */
    private boolean canSendWhole(Lookahead next) {
        return mayChunk(next.envelope()) && peer.hasPipelining() && next.bodyBytes() <= commands.length / 2
            && precheck(next.envelope(), next.bodyBytes()) == null;
    }

    /**
     * Stages one whole transaction at {@code commands[at]}: RSET if asked, MAIL, every RCPT, {@code BDAT n LAST}
     * and the message. Returns where it ends, or -1 (nothing usable staged) when it does not fit.
     *
     * <p>The message's length is known only after it is unstuffed, so it is read in behind the commands and room for
     * the longest BDAT line, unstuffed in place, and moved down against its BDAT line: one contiguous range, one
     * buffer, and a few KB moved instead of a second copy of every body.
     */
    private int stage(int at, Envelope env, int[] recipientIndexes, MessageBody body, boolean withRset)
        throws IOException {
        if (commands.length - at < 2 * CommandEncoder.MAX_COMMAND_BYTES) {
            return -1;
        }
        int p = withRset ? CommandEncoder.line(commands, at, "RSET") : at;
        p = encodeCommands(p, env, recipientIndexes, body.length(), true, false);
        int bodyStart = p + MAX_BDAT_LINE_BYTES;
        if (p < 0 || body.length() > Math.min(commands.length, out.capacity()) - bodyStart) {
            return -1;
        }
        int stored = (int) body.length();
        body.copyTo(ByteBuffer.wrap(commands, bodyStart, stored));
        int messageBytes = body.form() == BodyForm.DOT_STUFFED
            ? DotStuffer.unstuffInPlace(commands, bodyStart, stored) : stored;
        int bdatEnd = CommandEncoder.bdatLast(commands, p, messageBytes);
        System.arraycopy(commands, bodyStart, commands, bdatEnd, messageBytes);
        return bdatEnd + messageBytes;
    }

    /**
     * How many recipients the server took. A refused MAIL stands for every RCPT (their own replies, 503s, say
     * nothing), so it replaces them in {@code rcpt}.
     */
    private static int accepted(SmtpReply mail, SmtpReply[] rcpt) {
        int accepted = 0;
        for (int i = 0; i < rcpt.length; i++) {
            if (!mail.isPositive()) {
                rcpt[i] = mail;
            } else if (rcpt[i].isPositive()) {
                accepted++;
            }
        }
        return accepted;
    }

    /** The replies to one staged transaction, in order: RSET's (if it had one), MAIL's, each RCPT's, BDAT's. */
    private List<DeliveryResult> readBdatReplies(int[] recipientIndexes, boolean hasRset) throws IOException {
        if (hasRset) {
            phase = "sending RSET";
            SmtpReply rset = read(settings.commandTimeoutMs());
            if (rset.code() != 250) {
                isBroken = true; // what follows it cannot be trusted; transient, so the message is retried
                throw new ProtocolException("451 4.3.0 host " + target.hostName() + " refused RSET: " + rset);
            }
        }
        phase = "sending MAIL FROM";
        int n = recipientIndexes.length;
        SmtpReply mail = read(settings.commandTimeoutMs());
        phase = "sending RCPT TO";
        SmtpReply[] rcpt = new SmtpReply[n];
        for (int i = 0; i < n; i++) {
            rcpt[i] = read(settings.commandTimeoutMs());
        }
        int accepted = accepted(mail, rcpt);
        phase = "sending message body -- message may be sent more than once";
        SmtpReply finalReply = read(settings.dataDoneTimeoutMs());
        // RFC 3030 3: refused or not, the chunk was read and dropped; only an accepted LAST surely ends the
        // transaction, so anything else gets an RSET before the next one.
        needsReset = !(accepted > 0 && finalReply.isPositive());
        List<DeliveryResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(result(recipientIndexes[i], accepted > 0 && rcpt[i].isPositive() ? finalReply : rcpt[i]));
        }
        return results;
    }

    /** {@code commands[from, from + length)} in one write (plaintext) or one TLS flush, under one deadline. */
    private void writeStaged(int from, int length, int timeoutMs) throws IOException {
        deadline.arm(timeoutMs);
        try {
            if (tlsOut != null) {
                tlsOut.write(commands, from, length);
                tlsOut.flush();
            } else {
                out.clear();
                out.put(commands, from, length);
                writeOut();
            }
        } catch (IOException e) {
            throw timeoutOr(e);
        } finally {
            deadline.disarm();
        }
    }

    /**
     * MAIL, every RCPT and (unless BDAT follows) DATA, encoded into {@link #commands} from {@code at}; returns
     * where they end. When the buffer fills up it flushes what it has if {@code canFlush} (only with {@code at}
     * 0), else gives up and returns -1 (priming and staging: nothing may be written before the current body).
     */
    private int encodeCommands(int at, Envelope env, int[] recipientIndexes, long bodyBytes, boolean useBdat,
                               boolean canFlush) throws IOException {
        int len = CommandEncoder.mailFrom(commands, at, env.sender(), bodyBytes, env.bodyType(), env.smtpUtf8(),
            env.dsnRet(), env.dsnEnvId(), peer);
        for (int idx : recipientIndexes) {
            if (commands.length - len < CommandEncoder.MAX_COMMAND_BYTES) {
                if (!canFlush) {
                    return -1;
                }
                commandBytes = len;
                flush();
                len = 0;
            }
            len = CommandEncoder.rcptTo(commands, len, env.recipients().get(idx), peer);
        }
        return useBdat ? len : CommandEncoder.data(commands, len);
    }

    /** Refusals decided before MAIL: what the peer announced it cannot take. */
    private SmtpReply precheck(Envelope env, long bodyBytes) {
        if (!peer.accepts(bodyBytes)) {
            return SmtpReply.of(552, "5.3.4 Message size exceeds fixed limit of " + peer.maxSizeBytes()
                + " bytes of host " + target.hostName());
        }
        if (env.smtpUtf8() && !peer.hasSmtpUtf8()) {
            // RFC 6531 3.2: no downgrade; the message cannot be delivered to this server as is.
            return SmtpReply.of(553, "5.6.7 SMTPUTF8 is required, but was not offered by host " + target.hostName());
        }
        if ("BINARYMIME".equalsIgnoreCase(env.bodyType()) && !(peer.hasBinaryMime() && peer.hasChunking())) {
            return SmtpReply.of(554, "5.6.3 BINARYMIME is required, but was not offered by host "
                + target.hostName());
        }
        // An 8BITMIME body to a peer without 8BITMIME is sent anyway, unconverted, as Postfix does by default
        // (smtp_never_send_ehlo / "8BITMIME" downgrade is off): almost every server passes 8-bit through.
        return null;
    }

    private static DeliveryResult result(int index, SmtpReply reply) {
        RecipientState state = reply.isPositive() ? RecipientState.DELIVERED
            : reply.isTransient() ? RecipientState.DEFERRED : RecipientState.BOUNCED;
        return new DeliveryResult(index, state, reply.toString());
    }

    /**
     * The body, then (for DATA) the terminating dot. DOT_STUFFED without TLS: a body that fits the output buffer
     * is copied into it and leaves with its dot in one write (one pread and one write instead of
     * copy_file_range, fstat, sendfile and a second write), followed by {@code next}'s commands when they can be
     * pipelined; a larger one goes straight from the spool's pages to the socket. Everything else goes through a
     * chunk buffer (stuffing RAW bodies for DATA on the fly).
     */
    private void writeBody(MessageBody body, boolean isData, Lookahead next) throws IOException {
        hasSentBody = true;
        long deadlineMs = settings.dataBlockTimeoutMs() + body.length() / (64 * 1024) * 1000L;
        // XXX one deadline for the whole body (data-block-timeout plus a second per 64 KB) instead of one per
        // block: per-block would need chunked writes and lose transferTo's zero-copy path.
        deadline.arm(deadlineMs);
        try {
            boolean endsWithCrlf = true;
            if (isData && tls == null && body.form() == BodyForm.DOT_STUFFED
                && body.length() <= out.capacity() - DOT_CRLF.length) {
                out.clear();
                body.copyTo(out);
                out.put(DOT_CRLF);
                if (next != null && canPipeline(next)) {
                    int len = encodeCommands(0, next.envelope(), next.recipientIndexes(), next.bodyBytes(), false,
                        false);
                    if (len >= 0 && len <= out.remaining()) {
                        out.put(commands, 0, len);
                        primed = next;
                    }
                }
                writeOut();
                return;
            }
            if (!isData || body.form() == BodyForm.DOT_STUFFED) {
                if (tls == null) {
                    body.transferTo(channel);
                } else {
                    try (InputStream in = body.openStream()) {
                        in.transferTo(tlsOut);
                    }
                }
            } else {
                DotStuffer stuffer = new DotStuffer();
                try (InputStream in = body.openMessageStream()) {
                    endsWithCrlf = stuffer.copy(in, this::writeRaw);
                }
            }
            if (isData) {
                writeRaw(endsWithCrlf ? DOT_CRLF : CRLF_DOT_CRLF);
            }
            if (tlsOut != null) {
                tlsOut.flush();
            }
        } catch (IOException e) {
            throw timeoutOr(e);
        } finally {
            deadline.disarm();
        }
    }

    /**
     * True when {@code next} would go the plain pipelined DATA way on this connection: not refused, and not BDAT
     * (with CHUNKING a message goes in one write with its own commands, so there is nothing to prime).
     */
    private boolean canPipeline(Lookahead next) {
        return !mayChunk(next.envelope()) && precheck(next.envelope(), next.bodyBytes()) == null;
    }

    /** True when the next transaction is on the wire already: its commands, or all of it (see {@link Lookahead}). */
    boolean isPrimed() {
        return primed != null || !sentWhole.isEmpty();
    }

    /** What a failed blocking call means: a timeout when this connection's deadline closed the socket. */
    private IOException timeoutOr(IOException e) {
        return deadline.timeoutOr(e, "timed out while " + phase);
    }

    private void writeRaw(byte[] bytes) throws IOException {
        writeRaw(bytes, 0, bytes.length);
    }

    private void writeRaw(byte[] bytes, int offset, int length) throws IOException {
        if (tlsOut != null) {
            tlsOut.write(bytes, offset, length);
        } else {
            ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
    }

    private void flush() throws IOException {
        writeStaged(0, commandBytes, settings.commandTimeoutMs());
        commandBytes = 0;
    }

    /** Plaintext: everything put into {@link #out} since its last clear, in as many writes as the socket needs. */
    private void writeOut() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private SmtpReply command(String line, int timeoutMs) throws IOException {
        commandBytes = CommandEncoder.line(commands, 0, line);
        flush();
        return read(timeoutMs);
    }

    private SmtpReply read(int timeoutMs) throws IOException {
        deadline.arm(timeoutMs);
        SmtpReply reply;
        try {
            reply = replies.read();
        } catch (IOException e) {
            throw timeoutOr(e);
        } finally {
            deadline.disarm();
        }
        if (reply.code() == 421) {
            isBroken = true; // RFC 5321 3.8: the server is closing the channel; never cache it
        }
        return reply;
    }

    /** The diagnostic for a failure in the current phase, Postfix style. */
    String lostConnectionText(IOException e) {
        if (e instanceof ProtocolException p) {
            return p.reply().toString();
        }
        String what = e instanceof SocketTimeoutException ? "conversation with " + target.hostName()
            + "[" + target.address().getAddress().getHostAddress() + "] timed out while " + phase
            : "lost connection with " + target.hostName() + "[" + target.address().getAddress().getHostAddress()
            + "] while " + phase;
        return "451 4.4.2 " + what;
    }

    /** True once the current transaction started its body: retrying it elsewhere could deliver it twice. */
    boolean hasSentBody() {
        return hasSentBody;
    }

    /** Runs once, when the connection closes (releases its permit and counts it down). */
    void onClose(Runnable action) {
        this.onClose = action;
    }

    MxResolver.Target target() {
        return target;
    }

    /** The peer announced DSN (RFC 3461), so NOTIFY/ORCPT/RET/ENVID went along with the transaction. */
    boolean offersDsn() {
        return peer.hasDsn();
    }

    int transactions() {
        return transactions;
    }

    boolean isBroken() {
        return isBroken;
    }

    long idleSinceNs() {
        return idleSinceNs;
    }

    void markIdle(long nowNs) {
        idleSinceNs = nowNs;
    }

    /** Polite close: QUIT, then wait briefly for its reply (RFC 5321 4.1.1.10). Never throws. */
    void quit() {
        if (!isBroken) {
            try {
                commandBytes = CommandEncoder.line(commands, 0, "QUIT");
                flush();
                read(Math.min(settings.commandTimeoutMs(), 5_000));
            } catch (IOException ignored) {
                // the peer may close first; that's fine
            }
        }
        close();
    }

    @Override
    public void close() {
        if (isClosed) {
            return;
        }
        isClosed = true;
        isBroken = true;
        deadline.release();
        onClose.run();
        try {
            if (tls != null) {
                tls.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
