package io.sluice.load.generator;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLContext;

import io.sluice.load.report.WallClock;

/**
 * One generator session on its own virtual thread: claims slots from the {@link Schedule}, waits for each slot's
 * due time (open model), and sends one message per slot over its connection, reconnecting when the connection is
 * lost or {@code --messages-per-connection} is reached. Never throws: every failure is counted and the session
 * carries on with the next slot (a failed connect uses up its slot, so a dead server cannot stretch a
 * {@code --count} run forever).
 */
final class SessionWorker implements Runnable {

    private static final byte[] DATA = "DATA\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RSET = "RSET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIZE_PARAM = " SIZE=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    /** Pause after a failed connect, so a refused port is not hammered in a tight loop. */
    private static final long RECONNECT_BACKOFF_NS = 100_000_000L;
    private static final AtomicBoolean WARNED_NO_PIPELINING = new AtomicBoolean();

    private final int index;
    private final GeneratorOptions o;
    private final Schedule schedule;
    /** Measured outcomes, and connections over the whole run (a session keeps its warm-up connection). */
    private final GeneratorStats runStats;
    /** Outcomes of warm-up slots: counted apart, never in a reported histogram or throughput. */
    private final GeneratorStats warmupStats;
    private final MessageWriter writer;
    private final SSLContext tls;
    private final Runnable onWarmupDone;
    private final Runnable onExit;
    private final byte[] mailPrefix;
    private final byte[][] rcptLines;

    private ClientConnection conn;
    private boolean pipeline;
    private int sentOnConnection;
    private long sequence;
    /** Where the current slot's outcome is counted: {@link #runStats} or {@link #warmupStats}. */
    private GeneratorStats stats;
    private boolean warmupSlot;

    /** @param onWarmupDone run once, by the session sending the last warm-up slot, when that slot is due */
    SessionWorker(int index, GeneratorOptions o, Schedule schedule, GeneratorStats runStats,
                  GeneratorStats warmupStats, MessageWriter writer, SSLContext tls, Runnable onWarmupDone,
                  Runnable onExit) {
        this.index = index;
        this.o = o;
        this.schedule = schedule;
        this.runStats = runStats;
        this.warmupStats = warmupStats;
        this.stats = runStats;
        this.writer = writer;
        this.tls = tls;
        this.onWarmupDone = onWarmupDone;
        this.onExit = onExit;
        this.mailPrefix = ("MAIL FROM:<" + o.from() + ">").getBytes(StandardCharsets.US_ASCII);
        this.rcptLines = new byte[o.recipients()][];
        int at = o.to().lastIndexOf('@');
        for (int r = 0; r < o.recipients(); r++) {
            String rcpt = r == 0 ? o.to() : o.to().substring(0, at) + "+" + r + o.to().substring(at);
            rcptLines[r] = ("RCPT TO:<" + rcpt + ">\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    @Override
    public void run() {
        try {
            long slot;
            while ((slot = schedule.claim()) >= 0) {
                long dueNs = schedule.dueNs(slot);
                if (schedule.isOpen()) {
                    waitUntil(dueNs);
                }
                warmupSlot = schedule.isWarmup(slot);
                stats = warmupSlot ? warmupStats : runStats;
                if (schedule.isLastWarmup(slot)) {
                    onWarmupDone.run();
                }
                sendOne(dueNs);
            }
            if (conn != null) {
                conn.quit();
                dropConnection();
            }
        } finally {
            onExit.run();
        }
    }

    private void sendOne(long dueNs) {
        if (conn == null && !connect()) {
            stats.failed.increment();
            return;
        }
        int size = o.size().next();
        long mailNs = System.nanoTime();
        long intendedNs = schedule.isOpen() ? dueNs : mailNs;
        long messageId = ((long) index << 32) | (sequence++ & 0xffffffffL);
        try {
            boolean ok = pipeline ? sendPipelined(messageId, intendedNs, size)
                    : sendStepwise(messageId, intendedNs, size);
            if (ok) {
                long now = System.nanoTime();
                stats.accept.recordNs(now - intendedNs);
                stats.service.recordNs(now - mailNs);
                stats.ok.increment();
            } else {
                stats.failed.increment();
            }
            if (conn != null && o.messagesPerConnection() > 0 && ++sentOnConnection >= o.messagesPerConnection()) {
                conn.quit();
                dropConnection();
            }
        } catch (SocketTimeoutException e) {
            stats.timeouts.increment();
            stats.disconnects.increment();
            stats.failed.increment();
            dropConnection();
        } catch (SmtpReplyException e) {
            stats.unexpectedReply(e.code());
            stats.failed.increment();
            dropConnection();
        } catch (IOException e) {
            stats.disconnects.increment();
            stats.failed.increment();
            dropConnection();
        }
    }

    /** RFC 2920: MAIL, every RCPT and DATA in one write, then the replies in order. */
    private boolean sendPipelined(long messageId, long intendedNs, int size) throws IOException {
        writeMail(size);
        for (byte[] rcpt : rcptLines) {
            conn.write(rcpt);
        }
        conn.write(DATA);
        conn.flush();
        int mail = conn.readReply();
        if (mail / 100 != 2) {
            stats.unexpectedReply(mail);
        }
        int accepted = 0;
        int worst = 0;
        for (int r = 0; r < rcptLines.length; r++) {
            int code = conn.readReply();
            if (code / 100 == 2) {
                accepted++;
            } else {
                stats.unexpectedReply(code);
                worst = Math.max(worst, code == 421 ? 999 : code);
            }
        }
        int data = conn.readReply();
        if (data != 354) {
            if (mail / 100 == 2 && accepted > 0) {
                stats.unexpectedReply(data); // otherwise the DATA refusal just follows from the earlier one
            }
            return abandon(mail == 421 || worst == 999 || data == 421);
        }
        // 354 although MAIL or every RCPT failed would be a server bug; send the message anyway and let the
        // final reply decide, as RFC 2920 section 3.1 leaves the client no way to cancel here.
        return finishMessage(messageId, intendedNs, size);
    }

    private boolean sendStepwise(long messageId, long intendedNs, int size) throws IOException {
        writeMail(size);
        conn.flush();
        int mail = conn.readReply();
        if (mail / 100 != 2) {
            stats.unexpectedReply(mail);
            return abandon(mail == 421);
        }
        int accepted = 0;
        for (byte[] rcpt : rcptLines) {
            conn.write(rcpt);
            conn.flush();
            int code = conn.readReply();
            if (code / 100 == 2) {
                accepted++;
            } else {
                stats.unexpectedReply(code);
                if (code == 421) {
                    return abandon(true);
                }
            }
        }
        if (accepted == 0) {
            return abandon(false);
        }
        conn.write(DATA);
        conn.flush();
        int data = conn.readReply();
        if (data != 354) {
            stats.unexpectedReply(data);
            return abandon(data == 421);
        }
        return finishMessage(messageId, intendedNs, size);
    }

    private boolean finishMessage(long messageId, long intendedNs, int size) throws IOException {
        writer.write(conn, messageId, WallClock.epochNsOf(intendedNs), size, warmupSlot);
        conn.flush();
        int done = conn.readReply();
        if (done / 100 == 2) {
            return true;
        }
        stats.unexpectedReply(done);
        if (done == 421) {
            dropConnection();
        }
        return false;
    }

    private void writeMail(int size) throws IOException {
        conn.write(mailPrefix);
        if (conn.offersSize()) {
            conn.write(SIZE_PARAM);
            conn.writeDecimal(size);
        }
        conn.write(CRLF);
    }

    /** Ends a failed transaction: RSET (RFC 5321 4.1.1.5), or drop the connection after a 421. */
    private boolean abandon(boolean closing) throws IOException {
        if (closing) {
            dropConnection();
            return false;
        }
        conn.write(RSET);
        conn.flush();
        int code = conn.readReply();
        if (code / 100 != 2) {
            stats.unexpectedReply(code);
            dropConnection();
        }
        return false;
    }

    private boolean connect() {
        try {
            conn = ClientConnection.open(o.target(), o.timeoutMs(), o.ehloName(), tls, false);
            runStats.connects.increment();
            runStats.openSessions.incrementAndGet();
            sentOnConnection = 0;
            pipeline = o.pipelining() && conn.offersPipelining();
            if (o.pipelining() && !pipeline && WARNED_NO_PIPELINING.compareAndSet(false, true)) {
                System.err.println("load: the server does not offer PIPELINING; sending one command at a time");
            }
            return true;
        } catch (SmtpReplyException e) {
            stats.unexpectedReply(e.code());
        } catch (IOException e) {
            stats.connectFailures.increment();
        }
        LockSupport.parkNanos(RECONNECT_BACKOFF_NS);
        return false;
    }

    private void dropConnection() {
        if (conn != null) {
            conn.close();
            conn = null;
            runStats.openSessions.decrementAndGet();
        }
    }

    private static void waitUntil(long dueNs) {
        long waitNs;
        while ((waitNs = dueNs - System.nanoTime()) > 0) {
            LockSupport.parkNanos(waitNs);
        }
    }
}
