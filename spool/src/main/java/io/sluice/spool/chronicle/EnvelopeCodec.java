package io.sluice.spool.chronicle;

import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.Recipient;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes an {@link Envelope} as the envelope field of a MESSAGE record (see {@link SpoolRecordDescriptor}).
 * Little-endian; a string is an int32 byte length ({@code -1} for null) followed by its UTF-8 bytes:
 * <pre>
 *  arrivalEpochMs int64 | flags uint8 (bit 0: SMTPUTF8) |
 *  sender str | bodyType str | dsnRet str | dsnEnvId str |
 *  client.address str | client.helo str | client.protocol str | client.authUser str |
 *  recipientCount int32 | recipientCount x (address str | orcpt str | notifyFlags uint8)
 * </pre>
 * Called once per message on the session thread at {@code begin} (allocates the encoded array; never per
 * append), and once per message at recovery.
 */
final class EnvelopeCodec {

    private static final int FLAG_SMTPUTF8 = 1;

    private EnvelopeCodec() {
    }

    static byte[] encode(Envelope e) {
        int size = 8 + 1 + 4;
        byte[][] strings = new byte[8 + 2 * e.recipients().size()][];
        int n = 0;
        strings[n++] = utf8(e.sender());
        strings[n++] = utf8(e.bodyType());
        strings[n++] = utf8(e.dsnRet());
        strings[n++] = utf8(e.dsnEnvId());
        strings[n++] = utf8(e.client().address());
        strings[n++] = utf8(e.client().helo());
        strings[n++] = utf8(e.client().protocol());
        strings[n++] = utf8(e.client().authUser());
        for (Recipient r : e.recipients()) {
            strings[n++] = utf8(r.address());
            strings[n++] = utf8(r.orcpt());
            size += 1;
        }
        for (byte[] s : strings) {
            size += 4 + (s == null ? 0 : s.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(e.arrivalEpochMs());
        out.put((byte) (e.smtpUtf8() ? FLAG_SMTPUTF8 : 0));
        for (int i = 0; i < 8; i++) {
            put(out, strings[i]);
        }
        out.putInt(e.recipients().size());
        for (int i = 0; i < e.recipients().size(); i++) {
            put(out, strings[8 + 2 * i]);
            put(out, strings[9 + 2 * i]);
            out.put((byte) e.recipients().get(i).notifyFlags());
        }
        return out.array();
    }

    static Envelope decode(byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        long arrivalEpochMs = in.getLong();
        boolean smtpUtf8 = (in.get() & FLAG_SMTPUTF8) != 0;
        String sender = get(in);
        String bodyType = get(in);
        String dsnRet = get(in);
        String dsnEnvId = get(in);
        ClientInfo client = new ClientInfo(get(in), get(in), get(in), get(in));
        int count = in.getInt();
        List<Recipient> recipients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String address = get(in);
            String orcpt = get(in);
            recipients.add(new Recipient(address, orcpt, in.get()));
        }
        return new Envelope(sender, recipients, client, arrivalEpochMs, bodyType, smtpUtf8, dsnRet, dsnEnvId);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ByteBuffer out, byte[] s) {
        if (s == null) {
            out.putInt(-1);
        } else {
            out.putInt(s.length).put(s);
        }
    }

    private static String get(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
