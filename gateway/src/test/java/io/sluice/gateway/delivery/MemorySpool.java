package io.sluice.gateway.delivery;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.CommitListener;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolStats;
import io.sluice.spool.SpoolWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A heap spool implementing the spool contract, for delivery tests that must not depend on the storage engine:
 * commit notifies the listener, outcomes update the snapshot (attempts count completed tries, as ChronicleSpool does),
 * and every recorded outcome is kept in order for assertions.
 */
final class MemorySpool implements Spool {

    record Event(MessageId id, int index, RecipientState state, long nextAttemptEpochMs, String reply) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<MessageId, SpoolEntry> entries = new ConcurrentHashMap<>();
    private final Map<MessageId, byte[]> bodies = new ConcurrentHashMap<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<SpoolEntry> committed = new CopyOnWriteArrayList<>();
    private volatile CommitListener listener;

    @Override
    public SpoolWriter begin(Envelope envelope, BodyForm form) {
        MessageId id = new MessageId(ids.incrementAndGet());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        return new SpoolWriter() {
            @Override
            public MessageId id() {
                return id;
            }

            @Override
            public AppendResult append(ByteBuffer src) {
                byte[] b = new byte[src.remaining()];
                src.get(b);
                buf.writeBytes(b);
                return AppendResult.OK;
            }

            @Override
            public long size() {
                return buf.size();
            }

            @Override
            public CompletableFuture<AppendResult> commit() {
                byte[] body = buf.toByteArray();
                List<RecipientStatus> st = new ArrayList<>();
                for (int i = 0; i < envelope.recipients().size(); i++) {
                    st.add(new RecipientStatus(i, RecipientState.QUEUED, 0, 0, ""));
                }
                SpoolEntry e = new SpoolEntry(id, envelope, form, body.length, st);
                bodies.put(id, body);
                entries.put(id, e);
                committed.add(e);
                CommitListener l = listener;
                if (l != null) {
                    l.onCommitted(e);
                }
                return CompletableFuture.completedFuture(AppendResult.OK);
            }

            @Override
            public void abort() {
            }
        };
    }

    /** Adds a message with the given recipient states without notifying (as if recovered after a restart). */
    SpoolEntry putRecovered(Envelope envelope, BodyForm form, byte[] body, List<RecipientStatus> statuses) {
        MessageId id = new MessageId(ids.incrementAndGet());
        SpoolEntry e = new SpoolEntry(id, envelope, form, body.length, statuses);
        bodies.put(id, body);
        entries.put(id, e);
        return e;
    }

    @Override
    public boolean hasSpaceFor(long bytes) {
        return true;
    }

    @Override
    public void setCommitListener(CommitListener listener) {
        this.listener = listener;
        for (SpoolEntry e : entries.values()) {
            if (!e.isFinished()) {
                listener.onCommitted(e);
            }
        }
    }

    @Override
    public Optional<SpoolEntry> entry(MessageId id) {
        return Optional.ofNullable(entries.get(id));
    }

    @Override
    public List<SpoolEntry> entries() {
        return List.copyOf(entries.values());
    }

    @Override
    public Optional<MessageBody> openBody(MessageId id) {
        byte[] body = bodies.get(id);
        SpoolEntry e = entries.get(id);
        if (body == null || e == null) {
            return Optional.empty();
        }
        BodyForm form = e.bodyForm();
        return Optional.of(new MessageBody() {
            @Override
            public BodyForm form() {
                return form;
            }

            @Override
            public long length() {
                return body.length;
            }

            @Override
            public long transferTo(WritableByteChannel out) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(body);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                return body.length;
            }

            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public InputStream openMessageStream() {
                return new ByteArrayInputStream(form == BodyForm.RAW ? body : unstuff(body));
            }

            @Override
            public void close() {
            }
        });
    }

    static byte[] unstuff(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        boolean lineStart = true;
        for (byte x : b) {
            if (lineStart && x == '.') {
                lineStart = false;
                continue;
            }
            out.write(x);
            lineStart = x == '\n';
        }
        return out.toByteArray();
    }

    @Override
    public synchronized void recordOutcome(MessageId id, int recipientIndex, RecipientState state,
                                           long nextAttemptEpochMs, String reply) {
        events.add(new Event(id, recipientIndex, state, nextAttemptEpochMs, reply));
        SpoolEntry e = entries.get(id);
        List<RecipientStatus> st = new ArrayList<>(e.recipients());
        RecipientStatus old = st.get(recipientIndex);
        int attempts = old.attempts() + (state == RecipientState.DEFERRED || state == RecipientState.DELIVERED
            || state == RecipientState.BOUNCED ? 1 : 0);
        st.set(recipientIndex, new RecipientStatus(recipientIndex, state, attempts, nextAttemptEpochMs,
            reply.isEmpty() ? old.lastReply() : reply));
        entries.put(id, new SpoolEntry(id, e.envelope(), e.bodyForm(), e.bodyBytes(), st));
    }

    RecipientState state(MessageId id, int index) {
        return entries.get(id).recipients().get(index).state();
    }

    boolean isFinished(MessageId id) {
        return entries.get(id).isFinished();
    }

    byte[] body(MessageId id) {
        return bodies.get(id);
    }

    @Override
    public SpoolStats stats() {
        return new SpoolStats(committed.size(), entries.size(), 0, 0, 0, 0);
    }

    @Override
    public void close() {
    }
}
