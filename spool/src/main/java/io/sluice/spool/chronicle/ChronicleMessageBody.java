package io.sluice.spool.chronicle;

import io.sluice.spool.BodyForm;
import io.sluice.spool.MessageBody;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.index.MessageIndex;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored body read straight from the queue files: {@link #transferTo} uses {@link FileChannel#transferTo} at
 * the absolute offsets {@link BodySegments} finds (the kernel copies from the page cache, nothing passes through
 * the heap); streams read the same ranges with positional reads into the caller's array. Holds one file channel
 * per queue file touched; {@link #close()} releases them and the tailers. Opened by whichever thread reads it.
 */
final class ChronicleMessageBody implements MessageBody {

    private final SingleChronicleQueue queue;
    private final MessageIndex index;
    private final IndexedMessage message;
    private final List<AutoCloseable> resources = new ArrayList<>(2);
    private File channelFile;
    private FileChannel channel;

    ChronicleMessageBody(SingleChronicleQueue queue, MessageIndex index, IndexedMessage message) {
        this.queue = queue;
        this.index = index;
        this.message = message;
    }

    /** Where the body is now: reclamation may have relocated the message since this body was opened. */
    private BodySegments segments() {
        IndexedMessage current = index.get(message.id());
        return new BodySegments(queue, current != null ? current : message);
    }

    @Override
    public BodyForm form() {
        return message.form();
    }

    @Override
    public long length() {
        return message.bodyBytes();
    }

    @Override
    public long transferTo(WritableByteChannel out) throws IOException {
        long total = 0;
        try (BodySegments s = segments()) {
            while (s.next()) {
                FileChannel fc = channel(s.file);
                long pos = s.position;
                long end = s.position + s.length;
                while (pos < end) {
                    long n = fc.transferTo(pos, end - pos, out);
                    if (n <= 0 && pos >= fc.size()) {
                        throw new IOException("spool file " + s.file + " ends before the body does");
                    }
                    pos += n;
                }
                total += s.length;
            }
        }
        return total;
    }

    @Override
    public InputStream openStream() {
        BodySegments segments = segments();
        resources.add(segments);
        return new SegmentInputStream(segments);
    }

    @Override
    public InputStream openMessageStream() {
        InputStream raw = openStream();
        return message.form() == BodyForm.DOT_STUFFED ? new DotUnstuffingInputStream(raw) : raw;
    }

    private FileChannel channel(File file) throws IOException {
        if (!file.equals(channelFile)) {
            FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ);
            resources.add(ch);
            channel = ch;
            channelFile = file;
        }
        return channel;
    }

    @Override
    public void close() {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing a read-only channel or tailer has nothing to report to a reader.
            }
        }
        resources.clear();
        channel = null;
        channelFile = null;
    }

    /** The stored bytes as a stream; positional reads, so several streams may be open at once. */
    private final class SegmentInputStream extends InputStream {

        private final BodySegments segments;
        private long remainingInSegment;
        private long position;
        private FileChannel fc;
        private boolean isEnd;

        SegmentInputStream(BodySegments segments) {
            this.segments = segments;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (remainingInSegment == 0) {
                if (isEnd || !segments.next()) {
                    isEnd = true;
                    return -1;
                }
                fc = channel(segments.file);
                position = segments.position;
                remainingInSegment = segments.length;
            }
            int n = fc.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remainingInSegment)), position);
            if (n < 0) {
                throw new IOException("spool file " + segments.file + " ends before the body does");
            }
            position += n;
            remainingInSegment -= n;
            return n;
        }

        @Override
        public void close() {
            segments.close();
        }
    }
}
