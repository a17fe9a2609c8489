package io.sluice.spool.chronicle;

import io.sluice.spool.MessageBody;
import io.sluice.spool.MessageId;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.index.IndexedMessage;
import io.sluice.spool.index.MessageIndex;

import java.util.List;
import java.util.Optional;

/**
 * The read side shared by the writable spool and the read-only inspection view: snapshots from the index and
 * bodies through the shared per-file channels. Thread-safe; allocates only the snapshots it returns.
 */
final class IndexedReads {

    private final MessageIndex index;
    private final ReadChannels readers;

    IndexedReads(MessageIndex index, ReadChannels readers) {
        this.index = index;
        this.readers = readers;
    }

    Optional<SpoolEntry> entry(MessageId id) {
        return Optional.ofNullable(index.snapshot(id.value()));
    }

    List<SpoolEntry> entries() {
        return index.snapshots();
    }

    Optional<MessageBody> openBody(MessageId id) {
        IndexedMessage m = index.get(id.value());
        return m == null ? Optional.empty() : Optional.of(ChronicleMessageBody.open(readers, m, index::get));
    }
}
