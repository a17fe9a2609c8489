package io.sluice.spool;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One message being received. Owned by the one session thread that began it; not thread-safe.
 *
 * <p>Usage:
 * <pre>{@code
 * SpoolWriter w = spool.begin(envelope, BodyForm.DOT_STUFFED);
 * try {
 *     while (moreData) { if (!w.append(buffer).isOk()) { w.abort(); ... } }
 *     AppendResult r = w.commit().join();   // blocks this virtual thread until durable
 *     reply(r.isOk() ? QUEUED_250 : LOCAL_ERROR_451);
 * } catch (...) { w.abort(); }
 * }</pre>
 * After {@code commit()} or {@code abort()} the writer is finished; further calls throw IllegalStateException.
 * Nothing of a message that was aborted, or never committed (the process died first), is ever delivered.
 */
public interface SpoolWriter {

    MessageId id();

    /**
     * Copies {@code src}'s remaining bytes into the spool and advances its position to its limit. The caller may
     * reuse {@code src} as soon as this returns. Does not retain {@code src}. Allocates nothing per call.
     */
    AppendResult append(ByteBuffer src);

    /** Bytes appended so far. */
    long size();

    /**
     * Seals the message. The future completes with {@link AppendResult#OK} once the message is durable (for
     * {@code fsync}: forced to disk, one force shared with every other message committed meanwhile), and is
     * then visible to delivery; with any other value the message is gone.
     */
    CompletableFuture<AppendResult> commit();

    /** Discards the message; idempotent, never throws. */
    void abort();
}
