package io.sluice.gateway.smtp;

import io.sluice.gateway.io.LineReader;
import io.sluice.gateway.smtp.SmtpSession.DataOutcome;
import io.sluice.gateway.status.GatewayCounter;
import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolWriter;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Streams one message body from the connection's {@link LineReader} buffer into a {@link SpoolWriter}, range by
 * range as it arrives: DATA through the {@link DataScanner} (end of data, bare line endings, long lines), BDAT
 * chunks by exact byte count (RFC 3030). Memory is O(1) in the message size: the only buffer is the reader's, seen
 * through one reused {@link ByteBuffer}. When the body is refused (too large, bad line endings) the writer is
 * aborted at once and the rest is read and dropped, so the session stays in sync. A hang-up mid-body aborts the
 * writer: nothing of it reaches the spool.
 *
 * <p>One per connection, used by its thread only.
 */
final class DataReceiver {

    private final LineReader reader;
    private final Spool spool;
    private final long maxMessageBytes;
    private final DataScanner scanner = new DataScanner();
    private final ByteBuffer view;
    private SpoolWriter writer;
    private long bodyBytes;
    private boolean tooLarge;
    private AppendResult failure;

    DataReceiver(LineReader reader, Spool spool, long maxMessageBytes) {
        this.reader = reader;
        this.spool = spool;
        this.maxMessageBytes = maxMessageBytes;
        this.view = ByteBuffer.wrap(reader.buffer());
    }

    boolean isOpen() {
        return writer != null;
    }

    /** Bytes received for the current body so far (for the session log). */
    long bodyBytes() {
        return bodyBytes;
    }

    /** Begins a message and writes the trace header as its first bytes. */
    MessageId begin(Envelope envelope, BodyForm form, SmtpSession session, String hostname) {
        writer = spool.begin(envelope, form);
        bodyBytes = 0;
        tooLarge = false;
        failure = null;
        byte[] header = ReceivedHeader.build(session.helo(), session.clientAddress(), hostname, session.protocol(),
            writer.id().toString(), session.singleRecipient(), envelope.arrivalEpochMs());
        append(ByteBuffer.wrap(header), header.length);
        return writer.id();
    }

    /** Reads DATA up to and including CRLF.CRLF, storing everything before the final ".CRLF". */
    DataOutcome receiveData() throws IOException {
        scanner.reset();
        byte[] buf = reader.buffer();
        boolean needInput = reader.available() == 0;
        while (true) {
            if (needInput && reader.fill() < 0) {
                throw new EOFException("end of stream in DATA");
            }
            int from = reader.position();
            int to = reader.limit();
            int stop = scanner.scan(buf, from, to);
            int dataEnd = scanner.isEnded() ? stop - 3 : stop;
            store(from, dataEnd);
            reader.consume(stop - from);
            if (scanner.isEnded()) {
                break;
            }
            needInput = true; // everything was consumed, or the held-back bytes need more after them
            if ((scanner.sawBareLineEnding() || scanner.sawLineTooLong()) && writer != null) {
                abort();
            }
        }
        if (scanner.sawBareLineEnding()) {
            GatewayCounter.SMTP_BARE_LINE_ENDINGS.increment();
            abort();
            return DataOutcome.BARE_LINE_ENDING;
        }
        if (scanner.sawLineTooLong()) {
            abort();
            return DataOutcome.LINE_TOO_LONG;
        }
        return finish(true);
    }

    /** Reads exactly {@code size} chunk bytes; with {@code store} false (a refused BDAT) they are only dropped. */
    DataOutcome readChunk(long size, boolean last) throws IOException {
        long left = size;
        while (left > 0) {
            if (reader.available() == 0 && reader.fill() < 0) {
                throw new EOFException("end of stream in BDAT");
            }
            int n = (int) Math.min(left, reader.available());
            int from = reader.position();
            if (writer != null) {
                store(from, from + n);
            }
            reader.consume(n);
            left -= n;
        }
        return finish(last);
    }

    /** Drops a chunk whose BDAT command was refused (RFC 3030 3: its bytes follow anyway). */
    void discardChunk(long size) throws IOException {
        long left = size;
        while (left > 0) {
            if (reader.available() == 0 && reader.fill() < 0) {
                throw new EOFException("end of stream in refused BDAT");
            }
            int n = (int) Math.min(left, reader.available());
            reader.consume(n);
            left -= n;
        }
    }

    /** Discards the message being received, if any. Never throws. */
    void abort() {
        if (writer != null) {
            SpoolWriter w = writer;
            writer = null;
            w.abort();
        }
    }

    private DataOutcome finish(boolean last) {
        if (tooLarge) {
            abort();
            return DataOutcome.TOO_LARGE;
        }
        if (failure != null || writer == null) {
            abort();
            return failure == AppendResult.NO_SPACE ? DataOutcome.NO_SPACE
                : failure == AppendResult.TOO_LARGE ? DataOutcome.TOO_LARGE : DataOutcome.LOCAL_ERROR;
        }
        if (!last) {
            return DataOutcome.CHUNK_STORED;
        }
        SpoolWriter w = writer;
        writer = null;
        // Blocks this virtual thread until the spool says durable: the 250 is only sent after that.
        AppendResult r = w.commit().join();
        GatewayCounter.SMTP_BYTES_RECEIVED.add(bodyBytes);
        return switch (r) {
            case OK -> DataOutcome.QUEUED;
            case NO_SPACE -> spoolFailure(DataOutcome.NO_SPACE);
            case TOO_LARGE -> DataOutcome.TOO_LARGE;
            case IO_ERROR, CLOSED -> spoolFailure(DataOutcome.LOCAL_ERROR);
        };
    }

    private static DataOutcome spoolFailure(DataOutcome outcome) {
        GatewayCounter.SMTP_SPOOL_FAILURES.increment();
        return outcome;
    }

    private void store(int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        if (writer == null) {
            bodyBytes += n;
            return;
        }
        if (bodyBytes + n > maxMessageBytes) {
            tooLarge = true;
            bodyBytes += n;
            abort();
            return;
        }
        view.limit(to).position(from);
        append(view, n);
    }

    private void append(ByteBuffer src, int n) {
        AppendResult r = writer.append(src);
        bodyBytes += n;
        if (!r.isOk()) {
            failure = r;
            if (r == AppendResult.TOO_LARGE) {
                tooLarge = true;
            }
            abort();
        }
    }
}
