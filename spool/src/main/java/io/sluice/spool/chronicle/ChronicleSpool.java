package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.CommitListener;
import io.sluice.spool.Envelope;
import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.RecipientState;
import io.sluice.spool.Spool;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolException;
import io.sluice.spool.SpoolOptions;
import io.sluice.spool.SpoolReader;
import io.sluice.spool.SpoolStats;
import io.sluice.spool.SpoolWriter;
import io.sluice.spool.index.MessageIndex;
import io.sluice.spool.recovery.RecoveryScan;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The spool on Chronicle Queue. {@link #open} replays the queue into the index ({@link RecoveryScan}), then
 * starts the one writer thread ({@link SpoolWriterAgent}); every public method is thread-safe and none touches
 * Chronicle's appender. {@link #openReadOnly} gives the queue CLI a snapshot without disturbing a running
 * gateway.
 *
 * <p>Threads and allocation: sessions call {@code begin} (allocates the writer and the encoded envelope, once per
 * message), {@code append} (allocation-free: copies into pooled off-heap chunks) and {@code commit} (one future);
 * delivery threads call {@code openBody} (no tailer: a lease on a shared file channel, see {@link ReadChannels})
 * and {@code recordOutcome} (one small event object). {@code hasSpaceFor} is a volatile read. The index holds
 * unfinished messages, and finished ones for {@link #RECLAIM_GRACE_NS}; then they leave it (see
 * {@code MessageIndex}).
 *
 * <pre>{@code
 * Spool spool = ChronicleSpool.open(config.spool().toOptions(maxMessageBytes));   // SpoolException if unusable
 * spool.setCommitListener(deliveryQueue::offer);                                 // replays pending first
 * ...
 * spool.close();                                                                 // finishes commits in flight
 * }</pre>
 *
 * <p>Message ids: {@code max(last + 1, nowMs << 20)}, where {@code last} starts at the largest id found in the
 * queue. Increasing, positive, unique across restarts (even if the clock steps back, as long as the queue still
 * holds a message from after the step), and they read as arrival time: {@code id >>> 20} is epoch milliseconds.
 */
public final class ChronicleSpool implements Spool {

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleSpool.class);
    static final int ID_COUNTER_BITS = 20;
    /** Staging and chunk size: a message up to this size is one record; larger ones are chunked. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** First staging buffer of every message: the common 5 KB message never touches a 64 KB chunk. */
    static final int SMALL_STAGING_BYTES = 8 * 1024;
    private static final int MAX_POOLED_CHUNKS = 1024;
    /** A finished message's file is kept this long, so delivery can still read the body it just finished. */
    static final long RECLAIM_GRACE_NS = 10_000_000_000L;

    private final SpoolOptions options;
    private final QueueDirectory directory;
    private final MessageIndex index;
    private final SpaceMonitor space;
    private final CycleFiles files;
    private final ReadChannels readers;
    private final IndexedReads reads;
    private final ChunkPool chunkPool = new ChunkPool(CHUNK_BYTES, SMALL_STAGING_BYTES, MAX_POOLED_CHUNKS);
    private final SpoolWriterAgent agent;
    private final AtomicLong lastId;
    private volatile boolean closed;

    private ChronicleSpool(SpoolOptions options, QueueDirectory directory, MessageIndex index, CycleFiles files,
                           ReadChannels readers, long maxSeenId, LongSupplier usableBytes, long reclaimGraceNs) {
        this.options = options;
        this.readers = readers;
        this.reads = new IndexedReads(index, readers);
        this.directory = directory;
        this.index = index;
        this.files = files;
        this.lastId = new AtomicLong(maxSeenId);
        this.space = new SpaceMonitor(usableBytes, options.minFreeBytes());
        this.agent = new SpoolWriterAgent(this, directory.queue(), index, space, options.durability(), options.commitWindow(), files,
            reclaimGraceNs);
    }

    /**
     * Opens (creating if needed) the spool in {@code options.dir()}, recovering every committed message.
     *
     * @throws SpoolException when the directory cannot be created, written, locked or read
     */
    public static Spool open(SpoolOptions options) {
        return open(options, null, null, RECLAIM_GRACE_NS);
    }

    /**
     * Test hook: a Chronicle clock (to roll files on demand), a stand-in for the file system's free space, and the
     * reclamation grace period.
     */
    static ChronicleSpool open(SpoolOptions options, TimeProvider clock, LongSupplier usableBytes,
                               long reclaimGraceNs) {
        QueueDirectory directory = QueueDirectory.openWritable(options.dir(), options.rollInterval(), clock);
        try {
            MessageIndex index = new MessageIndex();
            ReadChannels readers = new ReadChannels();
            CycleFiles files = new CycleFiles(readers);
            RecoveryScan scan = new RecoveryScan(index);
            QueueReplay.replay(directory.queue(), scan, files);
            scan.finish();
            LOG.info("spool {}: recovered {} messages ({} live), {} events, {} unreadable records",
                options.dir(), scan.messages(), index.liveMessages(), scan.events(), scan.skipped());
            ChronicleSpool spool = new ChronicleSpool(options, directory, index, files, readers, scan.maxSeenId(),
                usableBytes != null ? usableBytes : directory::usableBytes, reclaimGraceNs);
            spool.agent.start();
            return spool;
        } catch (RuntimeException e) {
            directory.close();
            throw e instanceof SpoolException se ? se
                : new SpoolException("spool " + options.dir() + " cannot be read: " + e, e);
        }
    }

    /**
     * Opens the spool in {@code dir} for inspection only: a snapshot of the messages committed by now, with
     * their state, and their bodies. Safe while a gateway has the spool open (it takes no lock and writes
     * nothing).
     *
     * @throws SpoolException when {@code dir} holds no spool or cannot be read
     */
    public static SpoolReader openReadOnly(Path dir) {
        QueueDirectory directory = QueueDirectory.openReadOnly(dir);
        try {
            MessageIndex index = new MessageIndex();
            RecoveryScan scan = new RecoveryScan(index);
            ReadChannels readers = new ReadChannels();
            QueueReplay.replay(directory.queue(), scan, new CycleFiles(readers));
            scan.finishForInspection();
            return new ReadOnlySpool(directory, index, readers);
        } catch (RuntimeException e) {
            directory.close();
            throw new SpoolException("spool " + dir + " cannot be read: " + e, e);
        }
    }

    long maxMessageBytes() {
        return options.maxMessageBytes();
    }

    ReadChannels readers() {
        return readers;
    }

    ChunkPool chunkPool() {
        return chunkPool;
    }

    SpoolWriterAgent agent() {
        return agent;
    }

    boolean isClosed() {
        return closed || agent.isStopped();
    }

    boolean isStopped() {
        return agent.isStopped();
    }

    /** Messages the index holds (unfinished, and finished ones within the grace period); for tests. */
    int indexSize() {
        return index.size();
    }

    /** Runs a reclamation pass now rather than within a second; the future completes when it is over. */
    CompletableFuture<Void> reclaimNow() {
        return agent.requestReclaim();
    }

    @Override
    public SpoolWriter begin(Envelope envelope, BodyForm form) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(form, "form");
        return new ChronicleSpoolWriter(this, nextId(), envelope, EnvelopeCodec.encode(envelope), form);
    }

    private long nextId() {
        while (true) {
            long last = lastId.get();
            long candidate = Math.max(last + 1, System.currentTimeMillis() << ID_COUNTER_BITS);
            if (lastId.compareAndSet(last, candidate)) {
                return candidate;
            }
        }
    }

    @Override
    public boolean hasSpaceFor(long bytes) {
        return !isClosed() && space.hasSpaceFor(bytes);
    }

    @Override
    public void setCommitListener(CommitListener listener) {
        Objects.requireNonNull(listener, "listener");
        for (SpoolEntry e : index.register(listener)) {
            listener.onCommitted(e);
        }
    }

    @Override
    public Optional<SpoolEntry> entry(MessageId id) {
        return reads.entry(id);
    }

    @Override
    public List<SpoolEntry> entries() {
        return reads.entries();
    }

    @Override
    public Optional<MessageBody> openBody(MessageId id) {
        return reads.openBody(id);
    }

    @Override
    public void recordOutcome(MessageId id, int recipientIndex, RecipientState state, long nextAttemptEpochMs,
                              String reply) {
        Objects.requireNonNull(state, "state");
        if (closed) {
            LOG.debug("spool closed: outcome for {} not recorded", id);
            return;
        }
        byte[] stored = EventOp.replyBytes(reply);
        String kept = reply == null || stored.length == reply.length() ? reply : new String(stored, StandardCharsets.UTF_8);
        int attempts = index.recordOutcome(id.value(), recipientIndex, state, nextAttemptEpochMs, kept);
        // IN_FLIGHT stays in memory: replay turns it back into QUEUED anyway, so on disk it bought nothing but
        // a third of the writer's records (one per attempt; measured in the relay profile).
        if (attempts >= 0 && state != RecipientState.IN_FLIGHT) {
            agent.submitLazily(new EventOp(id.value(), recipientIndex, state, attempts, nextAttemptEpochMs, stored));
        }
    }

    @Override
    public SpoolStats stats() {
        return new SpoolStats(agent.messagesCommitted, index.liveMessages(), agent.bytesCommitted, agent.syncs,
            files.count(), space.usableBytes());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (agent.isWriterThread()) {
            // Closed from a commit listener: the writer cannot wait for itself; finish on another thread.
            Thread.ofPlatform().name("sluice-spool-close").start(this::release);
            return;
        }
        release();
    }

    /** Bytes the writer's prefaulter has read ahead so far (tests). */
    long prefaultedBytes() {
        return agent.prefaultedBytes();
    }

    private void release() {
        agent.stop();
        readers.closeAll();
        directory.close();
    }

    /** A read-only snapshot over the queue files (see {@link #openReadOnly}). */
    private static final class ReadOnlySpool implements SpoolReader {

        private final QueueDirectory directory;
        private final ReadChannels readers;
        private final IndexedReads reads;

        ReadOnlySpool(QueueDirectory directory, MessageIndex index, ReadChannels readers) {
            this.directory = directory;
            this.readers = readers;
            this.reads = new IndexedReads(index, readers);
        }

        @Override
        public Optional<SpoolEntry> entry(MessageId id) {
            return reads.entry(id);
        }

        @Override
        public List<SpoolEntry> entries() {
            return reads.entries();
        }

        @Override
        public Optional<MessageBody> openBody(MessageId id) {
            return reads.openBody(id);
        }

        @Override
        public void close() {
            readers.closeAll();
            directory.close();
        }
    }
}
