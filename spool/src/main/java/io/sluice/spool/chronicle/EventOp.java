package io.sluice.spool.chronicle;

import io.sluice.spool.RecipientState;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A recipient state change on its way to the writer thread, which appends it as an EVENT record. */
record EventOp(long messageId, int recipient, RecipientState state, int attempts, long nextAttemptEpochMs,
               byte[] replyUtf8) {

    /**
     * A reply as stored: UTF-8, cut at {@link SpoolRecordDescriptor#MAX_REPLY_BYTES} on a character boundary
     * (replies are diagnostics for people and bounces; remote servers may send kilobytes).
     */
    static byte[] replyBytes(String reply) {
        if (reply == null || reply.isEmpty()) {
            return new byte[0];
        }
        byte[] b = reply.getBytes(StandardCharsets.UTF_8);
        if (b.length <= SpoolRecordDescriptor.MAX_REPLY_BYTES) {
            return b;
        }
        int end = SpoolRecordDescriptor.MAX_REPLY_BYTES;
        while (end > 0 && (b[end] & 0xC0) == 0x80) { // do not cut a UTF-8 sequence
            end--;
        }
        return Arrays.copyOf(b, end);
    }
}
