package io.sluice.spool;

import java.util.List;
import java.util.Optional;

/**
 * Read access to a spool: what every {@link Spool} offers, and all that a read-only open (the queue CLI, while
 * the gateway runs or not) offers. A read-only reader sees the messages committed when it was opened.
 * Thread-safe.
 */
public interface SpoolReader extends AutoCloseable {

    /** The current snapshot of a message; empty when unknown or finished. */
    Optional<SpoolEntry> entry(MessageId id);

    /** Snapshots of every unfinished message, in id (arrival) order: the queue, not its history. */
    List<SpoolEntry> entries();

    /** Opens a committed message's body; empty when the message is unknown or finished. */
    Optional<MessageBody> openBody(MessageId id);

    @Override
    void close();
}
