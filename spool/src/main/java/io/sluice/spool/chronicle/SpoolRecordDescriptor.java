package io.sluice.spool.chronicle;

/**
 * The byte layout of every spool record: one Chronicle Queue excerpt (a "document") holds exactly one record,
 * written raw (no Wire field names) in little-endian byte order by the spool's single writer thread.
 *
 * <p>Every record starts with the same 16-byte header:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |    Version    |     Type      |             Flags             |  0
 *  +---------------+---------------+-------------------------------+
 *  |                           Reserved (0)                        |  4
 *  +---------------------------------------------------------------+
 *  |                          Message Id                           |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * A reader that meets a {@link #VERSION_OFFSET version} it does not know skips the record and counts it; it never
 * guesses. The version changes whenever a field moves or changes meaning; new record types may be added without
 * a version change (older readers skip unknown types).
 *
 * <h2>{@link #TYPE_MESSAGE}: the commit marker, envelope and (for small messages) the body</h2>
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                     Header (16 bytes, above)                  |  0
 *  +---------------------------------------------------------------+
 *  |                          Body Length                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |             First Chunk Index (queue index, -1 if inline)     | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                Chunk Count (0 when inline)                    | 32
 *  +---------------------------------------------------------------+
 *  |                       Envelope Length                         | 36
 *  +---------------------------------------------------------------+
 *  |                  Envelope (see EnvelopeCodec)                ...  40
 *  +---------------------------------------------------------------+
 *  |            Body (inline messages only, Body Length bytes)    ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: {@link #FLAG_DOT_STUFFED} (else the body is RAW), {@link #FLAG_CHUNKED}, {@link #FLAG_RELOCATED} (a copy
 * made by reclamation; a later MESSAGE record for a known id replaces the earlier one, see {@code Relocation}).
 * A message exists if and only if
 * its MESSAGE record exists: Chronicle publishes a document atomically when its header is completed, so a
 * half-written record is never read, and chunks without a MESSAGE record (an abort, or a crash before commit)
 * are ignored by {@code RecoveryScan}.
 *
 * <h2>{@link #TYPE_CHUNK}: one slice of a large body</h2>
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                     Header (16 bytes, above)                  |  0
 *  +---------------------------------------------------------------+
 *  |                         Chunk Number                          | 16
 *  +---------------------------------------------------------------+
 *  |                         Chunk Length                          | 20
 *  +---------------------------------------------------------------+
 *  |                   Body Bytes (Chunk Length)                  ...  24
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: {@link #FLAG_LAST_CHUNK} on the final chunk. Chunks of one message are numbered from 0, appear in order,
 * and may be interleaved with other messages' records; the MESSAGE record that seals them follows the last one
 * and names the first chunk's queue index, so a reader walks forward from there picking this message's chunks.
 *
 * <h2>{@link #TYPE_EVENT}: a recipient's new delivery state</h2>
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                     Header (16 bytes, above)                  |  0
 *  +---------------------------------------------------------------+
 *  |                        Recipient Index                        | 16
 *  +---------------+---------------+-------------------------------+
 *  |     State     |   Reserved    |         Reply Length          | 20
 *  +---------------+---------------+-------------------------------+
 *  |                           Attempts                            | 24
 *  +---------------------------------------------------------------+
 *  |                           Reserved (0)                        | 28
 *  +---------------------------------------------------------------+
 *  |                     Next Attempt (epoch ms)                   | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Reply (UTF-8, Reply Length bytes)            ...  40
 *  +---------------------------------------------------------------+
 * </pre>
 * An event carries the recipient's whole new state (not a delta), so replaying it twice is harmless. State is the
 * {@link io.sluice.spool.RecipientState} ordinal.
 */
final class SpoolRecordDescriptor {

    /** Current layout version; bump on any incompatible change. */
    static final byte VERSION = 1;

    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = 1;
    static final int FLAGS_OFFSET = 2;
    static final int RESERVED_OFFSET = 4;
    static final int MESSAGE_ID_OFFSET = 8;
    static final int HEADER_LENGTH = 16;

    static final byte TYPE_MESSAGE = 1;
    static final byte TYPE_CHUNK = 2;
    static final byte TYPE_EVENT = 3;

    static final short FLAG_DOT_STUFFED = 0x1;
    static final short FLAG_CHUNKED = 0x2;
    static final short FLAG_LAST_CHUNK = 0x4;
    /** A MESSAGE record re-appended by reclamation; replaces the earlier record with the same id. */
    static final short FLAG_RELOCATED = 0x8;

    // TYPE_MESSAGE
    static final int BODY_LENGTH_OFFSET = 16;
    static final int FIRST_CHUNK_INDEX_OFFSET = 24;
    static final int CHUNK_COUNT_OFFSET = 32;
    static final int ENVELOPE_LENGTH_OFFSET = 36;
    static final int ENVELOPE_OFFSET = 40;

    // TYPE_CHUNK
    static final int CHUNK_NUMBER_OFFSET = 16;
    static final int CHUNK_LENGTH_OFFSET = 20;
    static final int CHUNK_DATA_OFFSET = 24;

    // TYPE_EVENT
    static final int RECIPIENT_INDEX_OFFSET = 16;
    static final int STATE_OFFSET = 20;
    static final int REPLY_LENGTH_OFFSET = 22;
    static final int ATTEMPTS_OFFSET = 24;
    static final int NEXT_ATTEMPT_OFFSET = 32;
    static final int REPLY_OFFSET = 40;

    /** Replies are diagnostics for people; longer ones are cut (at a character boundary) to keep events small. */
    static final int MAX_REPLY_BYTES = 1000;

    /** The index a MESSAGE record stores when the body is inline. */
    static final long NO_CHUNK_INDEX = -1;

    private SpoolRecordDescriptor() {
    }

    static int messageRecordLength(int envelopeLength, long inlineBodyLength) {
        return Math.toIntExact(ENVELOPE_OFFSET + envelopeLength + inlineBodyLength);
    }

    static int chunkRecordLength(int chunkLength) {
        return CHUNK_DATA_OFFSET + chunkLength;
    }
}
