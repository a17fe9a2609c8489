package io.sluice.spool;

import java.io.IOException;
import java.io.InputStream;
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

    /** The stored bytes, unchanged, as a stream. */
    InputStream openStream() throws IOException;

    /** The message itself: dot-unstuffed when the stored form is {@link BodyForm#DOT_STUFFED}. */
    InputStream openMessageStream() throws IOException;

    @Override
    void close();
}
