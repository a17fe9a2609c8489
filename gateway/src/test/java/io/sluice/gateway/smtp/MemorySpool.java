package io.sluice.gateway.smtp;

import io.sluice.spool.AppendResult;
import io.sluice.spool.BodyForm;
import io.sluice.spool.CommitListener;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolStats;
import io.sluice.spool.SpoolWriter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test fixture: a heap spool that records committed messages and can be told to fail (full disk, I/O error), to
 * exercise the 452/451 paths the real spool only shows on a broken disk. Integration tests use the real
 * ChronicleSpool instead.
 */
final class MemorySpool implements Spool {

    record Stored(Envelope envelope, BodyForm form, byte[] body) {
    }

    final Map<MessageId, Stored> committed = new ConcurrentHashMap<>();
    final AtomicInteger aborted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    volatile boolean hasSpace = true;
    volatile AppendResult commitResult = AppendResult.OK;
    /** Simulates a bug in a collaborator: begin() throws. */
    volatile boolean failBegin;
    private final AtomicLong ids = new AtomicLong();

    @Override
    public SpoolWriter begin(Envelope envelope, BodyForm form) {
        if (failBegin) {
            throw new IllegalStateException("injected failure (test)");
        }
        MessageId id = new MessageId(ids.incrementAndGet());
        open.incrementAndGet();
        return new SpoolWriter() {
            private final ByteArrayOutputStream body = new ByteArrayOutputStream();
            private boolean done;

            @Override
            public MessageId id() {
                return id;
            }

            @Override
            public AppendResult append(ByteBuffer src) {
                check();
                byte[] b = new byte[src.remaining()];
                src.get(b);
                body.writeBytes(b);
                return AppendResult.OK;
            }

            @Override
            public long size() {
                return body.size();
            }

            @Override
            public CompletableFuture<AppendResult> commit() {
                check();
                done = true;
                open.decrementAndGet();
                AppendResult r = commitResult;
                if (r.isOk()) {
                    committed.put(id, new Stored(envelope, form, body.toByteArray()));
                }
                return CompletableFuture.completedFuture(r);
            }

            @Override
            public void abort() {
                if (!done) {
                    done = true;
                    open.decrementAndGet();
                    aborted.incrementAndGet();
                }
            }

            private void check() {
                if (done) {
                    throw new IllegalStateException("writer finished");
                }
            }
        };
    }

    Stored only() {
        if (committed.size() != 1) {
            throw new AssertionError("expected one message, have " + committed.size());
        }
        return committed.values().iterator().next();
    }

    @Override
    public boolean hasSpaceFor(long bytes) {
        return hasSpace;
    }

    @Override
    public void setCommitListener(CommitListener listener) {
    }

    @Override
    public Optional<SpoolEntry> entry(MessageId id) {
        return Optional.empty();
    }

    @Override
    public List<SpoolEntry> entries() {
        return List.of();
    }

    @Override
    public Optional<MessageBody> openBody(MessageId id) {
        return Optional.empty();
    }

    @Override
    public void recordOutcome(MessageId id, int recipientIndex, RecipientState state, long nextAttemptEpochMs, String reply) {
    }

    @Override
    public SpoolStats stats() {
        return null;
    }

    @Override
    public void close() {
    }
}
