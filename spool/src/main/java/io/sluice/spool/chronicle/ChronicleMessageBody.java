package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.MessageBody;
import io.sluice.spool.index.IndexedMessage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * A stored body read straight from the queue files at the offsets the writer recorded in the index (see
 * {@link IndexedMessage#segmentPosition}): {@link #transferTo} uses {@link FileChannel#transferTo} (the kernel
 * copies from the page cache, nothing passes through the heap); streams read the same ranges with positional
 * reads into the caller's array. No Chronicle tailer, no channel of its own: it leases the shared channel of each
 * file it spans from {@link ReadChannels} when opened, so it stays readable even if reclamation deletes (or
 * relocation empties) the file meanwhile, and {@link #close()} returns the leases. Opened by whichever thread
 * reads it; one thread at a time. Allocates the body object and one lease per file (one for a typical message).
 */
final class ChronicleMessageBody implements MessageBody {

    private final IndexedMessage message;
    /** Per segment, the channel of its file; null after close. */
    private FileChannel[] channels;
    private ReadChannels.Lease[] leases;
    private int leaseCount;
    private final IOException openFailure;

    private ChronicleMessageBody(IndexedMessage message, FileChannel[] channels, ReadChannels.Lease[] leases,
                                 int leaseCount, IOException openFailure) {
        this.message = message;
        this.channels = channels;
        this.leases = leases;
        this.leaseCount = leaseCount;
        this.openFailure = openFailure;
    }

    /**
     * Leases the files {@code message}'s body is in. A file may be retired between the index lookup and the
     * lease when relocation has just moved the message: {@code current} gives the message's location now, and
     * the lookup is tried again. If the body still cannot be found, the returned body fails its reads with an
     * {@link IOException} (a reader bug or a damaged spool, not a race).
     */
    static ChronicleMessageBody open(ReadChannels files, IndexedMessage message,
                                     LongFunction<IndexedMessage> current) {
        IOException failure = null;
        for (int attempt = 0; attempt < 3 && message != null; attempt++) {
            int n = message.segmentCount();
            FileChannel[] channels = new FileChannel[n];
            ReadChannels.Lease[] leases = new ReadChannels.Lease[Math.min(n, 4)];
            int leaseCount = 0;
            try {
                for (int i = 0; i < n; i++) {
                    int cycle = message.segmentCycle(i);
                    ReadChannels.Lease lease = null;
                    for (int j = 0; j < leaseCount && lease == null; j++) {
                        lease = leases[j].cycle() == cycle ? leases[j] : null;
                    }
                    if (lease == null) {
                        lease = files.acquire(cycle);
                        if (leaseCount == leases.length) {
                            leases = Arrays.copyOf(leases, leaseCount * 2);
                        }
                        leases[leaseCount++] = lease;
                    }
                    channels[i] = lease.channel();
                }
                return new ChronicleMessageBody(message, channels, leases, leaseCount, null);
            } catch (IOException e) {
                for (int j = 0; j < leaseCount; j++) {
                    leases[j].release();
                }
                failure = e;
                IndexedMessage now = current.apply(message.id());
                if (now == null || now == message) {
                    break;
                }
                message = now;
            }
        }
        return new ChronicleMessageBody(message, new FileChannel[0], new ReadChannels.Lease[0], 0,
            new IOException("spooled body of message " + Long.toHexString(message.id()) + " cannot be read: "
                + failure.getMessage(), failure));
    }

    @Override
    public BodyForm form() {
        return message.form();
    }

    @Override
    public long length() {
        return message.bodyBytes();
    }

    private FileChannel channel(int segment) throws IOException {
        if (openFailure != null) {
            throw openFailure;
        }
        if (channels == null) {
            throw new IOException("message body is closed");
        }
        return channels[segment];
    }

    @Override
    public long transferTo(WritableByteChannel out) throws IOException {
        long total = 0;
        for (int i = 0, n = message.segmentCount(); i < n; i++) {
            FileChannel fc = channel(i);
            long pos = message.segmentPosition(i);
            long end = pos + message.segmentLength(i);
            while (pos < end) {
                long sent = fc.transferTo(pos, end - pos, out);
                if (sent <= 0 && pos >= fc.size()) {
                    throw new IOException("spool file ends before the body of " + Long.toHexString(message.id())
                        + " does");
                }
                pos += sent;
            }
            total += message.segmentLength(i);
        }
        if (openFailure != null) {
            throw openFailure;
        }
        return total;
    }

    /** Positional reads straight into {@code dst}: one pread per segment for a direct buffer, no heap copy. */
    @Override
    public void copyTo(ByteBuffer dst) throws IOException {
        if (dst.remaining() < message.bodyBytes()) {
            throw new IllegalArgumentException("buffer has " + dst.remaining() + " bytes left, body needs "
                + message.bodyBytes());
        }
        for (int i = 0, n = message.segmentCount(); i < n; i++) {
            FileChannel fc = channel(i);
            long pos = message.segmentPosition(i);
            int len = message.segmentLength(i);
            int limit = dst.limit();
            dst.limit(dst.position() + len);
            try {
                while (dst.hasRemaining()) {
                    int read = fc.read(dst, pos);
                    if (read < 0) {
                        throw new IOException("spool file ends before the body of " + Long.toHexString(message.id())
                            + " does");
                    }
                    pos += read;
                }
            } finally {
                dst.limit(limit);
            }
        }
        if (openFailure != null) {
            throw openFailure;
        }
    }

    @Override
    public InputStream openStream() throws IOException {
        if (openFailure != null) {
            throw openFailure;
        }
        return new SegmentInputStream();
    }

    @Override
    public InputStream openMessageStream() throws IOException {
        InputStream raw = openStream();
        return message.form() == BodyForm.DOT_STUFFED ? new DotUnstuffingInputStream(raw) : raw;
    }

    @Override
    public void close() {
        if (channels == null) {
            return;
        }
        channels = null;
        for (int j = 0; j < leaseCount; j++) {
            leases[j].release();
        }
        leaseCount = 0;
        leases = null;
    }

    /** The stored bytes as a stream; positional reads, so several streams may be open at once. */
    private final class SegmentInputStream extends InputStream {

        private int segment = -1;
        private long remainingInSegment;
        private long position;
        private byte[] one;

        @Override
        public int read() throws IOException {
            if (one == null) {
                one = new byte[1];
            }
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (remainingInSegment == 0) {
                if (segment + 1 >= message.segmentCount()) {
                    return -1;
                }
                segment++;
                position = message.segmentPosition(segment);
                remainingInSegment = message.segmentLength(segment);
            }
            int n = channel(segment).read(ByteBuffer.wrap(b, off, (int) Math.min(len, remainingInSegment)),
                position);
            if (n < 0) {
                throw new IOException("spool file ends before the body of " + Long.toHexString(message.id())
                    + " does");
            }
            position += n;
            remainingInSegment -= n;
            return n;
        }
    }
}
