package io.sluice.spool.index;

import io.sluice.spool.BodyForm;
import io.sluice.spool.ClientInfo;
import io.sluice.spool.Envelope;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MessageIndexTest {

    private static final Envelope ENVELOPE = new Envelope("a@example.org",
        List.of(Recipient.of("b@example.org"), Recipient.of("c@example.org")), ClientInfo.LOCAL, 1L, "7BIT", false,
        null, null);

    private static IndexedMessage message(long id, int cycle) {
        return new IndexedMessage(id, ENVELOPE, BodyForm.RAW, 10, 100 + cycle, -1, 0, cycle);
    }

    @Test
    void shouldTreatSecondRecordForKnownIdAsRelocationCarryingStates() {
        MessageIndex index = new MessageIndex();
        index.add(message(7, 1));
        index.restore(7, 0, RecipientState.DEFERRED, 3, 99, "451 later");
        index.restore(7, 1, RecipientState.DELIVERED, 1, 0, "250 ok");
        assertFalse(index.isCycleFinished(1));

        index.add(message(7, 3)); // replay meets the relocated copy while file 1 still exists
        assertTrue(index.isCycleFinished(1), "the original's file no longer pins the message");
        assertFalse(index.isCycleFinished(3));
        var r = index.snapshot(7).recipients();
        assertEquals(RecipientState.DEFERRED, r.get(0).state());
        assertEquals(3, r.get(0).attempts());
        assertEquals(RecipientState.DELIVERED, r.get(1).state());
        assertEquals(1, index.liveMessages());

        index.dropCycle(1);
        assertNotNull(index.get(7), "dropping the old file keeps the relocated message");
        assertEquals(3, index.get(7).cycle());
    }

    @Test
    void shouldCountAttemptsAndLiveMessages() {
        MessageIndex index = new MessageIndex();
        index.add(message(1, 0));
        assertEquals(1, index.recordOutcome(1, 0, RecipientState.DEFERRED, 5, "451"));
        assertEquals(1, index.recordOutcome(1, 0, RecipientState.IN_FLIGHT, 0, ""));
        assertEquals(2, index.recordOutcome(1, 0, RecipientState.DELIVERED, 0, "250"));
        assertEquals(-1, index.recordOutcome(1, 2, RecipientState.DELIVERED, 0, "250"), "no such recipient");
        assertEquals(-1, index.recordOutcome(9, 0, RecipientState.DELIVERED, 0, "250"), "no such message");
        assertEquals(1, index.liveMessages());
        index.recordOutcome(1, 1, RecipientState.EXPIRED, 0, "");
        assertEquals(0, index.liveMessages());
        assertTrue(index.isCycleFinished(0));
    }
}
