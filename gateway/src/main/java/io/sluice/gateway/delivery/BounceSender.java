package io.sluice.gateway.delivery;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.Recipient;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds DSNs with {@link DsnBuilder} and spools them (null sender, {@link ClientInfo#LOCAL},
 * {@link BodyForm#RAW}); the commit listener then delivers them like any other message. Honours NOTIFY
 * (RFC 3461 4.1): failures are reported to recipients with FAILURE (the default), successes only with
 * SUCCESS, NEVER suppresses both. A message from the null sender gets no DSN at all: bounces of bounces are
 * dropped and logged (RFC 5321 4.5.5), which is what stops bounce loops. Called on a delivery virtual thread.
 */
final class BounceSender {

    private static final Logger LOG = LoggerFactory.getLogger(BounceSender.class);

    private final Spool spool;
    private final DsnBuilder builder;

    BounceSender(Spool spool, String hostname) {
        this.spool = spool;
        this.builder = new DsnBuilder(hostname);
    }

    /** Spools one DSN covering {@code finished} (failures or successes of one batch); returns true if spooled. */
    boolean send(SpoolEntry entry, List<Batch.Finished> finished, int notifyBit) {
        List<DsnBuilder.Report> reports = new ArrayList<>(finished.size());
        for (Batch.Finished f : finished) {
            Recipient r = entry.envelope().recipients().get(f.outcome().recipientIndex());
            if ((r.notifyFlags() & notifyBit) != 0) {
                reports.add(new DsnBuilder.Report(r, f.action(), f.outcome().reply(), f.outcome().remoteMta()));
            }
        }
        if (reports.isEmpty()) {
            return false;
        }
        Envelope env = entry.envelope();
        if (env.isNullSender()) {
            LOG.info("{}: not sending a delivery status notification for a message from <> ({} recipient(s), "
                + "first: {})", entry.id(), reports.size(), reports.get(0).reply());
            return false;
        }
        long nowMs = System.currentTimeMillis();
        Envelope dsnEnv = new Envelope("", List.of(new Recipient(env.sender(), null, Recipient.NOTIFY_NEVER)),
            ClientInfo.LOCAL, nowMs, "7BIT".equalsIgnoreCase(env.bodyType()) ? "7BIT" : "8BITMIME",
            env.smtpUtf8(), null, null);
        SpoolWriter w = spool.begin(dsnEnv, BodyForm.RAW);
        Optional<MessageBody> original = spool.openBody(entry.id());
        try (SpoolOutputStream out = new SpoolOutputStream(w)) {
            InputStream in = original.isPresent() ? original.get().openMessageStream() : null;
            try {
                builder.write(out, entry.id(), env, reports, in, entry.bodyBytes(), nowMs);
            } finally {
                if (in != null) {
                    in.close();
                }
            }
        } catch (IOException e) {
            w.abort();
            LOG.warn("{}: could not build a DSN: {}", entry.id(), e.toString());
            return false;
        } finally {
            original.ifPresent(MessageBody::close);
        }
        AppendResult result = w.commit().join();
        if (!result.isOk()) {
            LOG.warn("{}: could not spool a DSN: {}", entry.id(), result);
            return false;
        }
        return true;
    }

    /** Appends to a {@link SpoolWriter} through a fixed buffer; an append failure becomes an IOException. */
    private static final class SpoolOutputStream extends OutputStream {
        private final SpoolWriter writer;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

        SpoolOutputStream(SpoolWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) throws IOException {
            if (!buf.hasRemaining()) {
                flush();
            }
            buf.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(len, buf.remaining());
                buf.put(b, off, n);
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            buf.flip();
            AppendResult r = buf.hasRemaining() ? writer.append(buf) : AppendResult.OK;
            buf.clear();
            if (!r.isOk()) {
                throw new IOException("spool append: " + r);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
