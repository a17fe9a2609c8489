package io.sluice.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Read access to one spooled body, backed by the spool's mapped files (never a heap copy of the whole body).
 * Obtained from {@link Spool#openBody}; close it when done so the spool may release the files. One reader per
 * thread; opening several concurrently for the same message is fine.
 */
public interface MessageBody extends AutoCloseable {

    BodyForm form();

    /** Stored length in bytes, in {@link #form()}. */
    long length();

    /**
     * Writes the stored bytes, unchanged, to {@code out} (a socket channel: the kernel copies from the page cache
     * where it can). Returns the bytes written, always {@link #length()} unless it throws.
     */
    long transferTo(WritableByteChannel out) throws IOException;

    /**
     * Copies the stored bytes, unchanged, into {@code dst} (at least {@link #length()} bytes must remain in it).
     * For small bodies: the caller can send body and end-of-data marker (and more) in one write, which beats
     * {@link #transferTo} when the syscall, not the copy, is the cost (measured: a 5 KB relay paid
     * copy_file_range + fstat + sendfile + a separate write for the dot).
     */
    default void copyTo(ByteBuffer dst) throws IOException {
        if (dst.remaining() < length()) {
            throw new IllegalArgumentException("buffer has " + dst.remaining() + " bytes left, body needs " + length());
        }
        byte[] chunk = new byte[8192];
        try (InputStream in = openStream()) {
            for (int n; (n = in.read(chunk)) > 0; ) {
                dst.put(chunk, 0, n);
            }
        }
    }

    /** The stored bytes, unchanged, as a stream. */
    InputStream openStream() throws IOException;

    /** The message itself: dot-unstuffed when the stored form is {@link BodyForm#DOT_STUFFED}. */
    InputStream openMessageStream() throws IOException;

    @Override
    void close();
}
