package dev.switchboard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The permit ledger's rules: the bound, the head of the line, the order of release, the returns. */
class PermitLedgerTest {

    private final PipelineFixture fixture = new PipelineFixture(Ordering.UNORDERED, 16, 16, true);
    private final ArrayDeque<Exchange> line = new ArrayDeque<>();

    @AfterEach
    void close() {
        fixture.close();
    }

    /** {@code ex}, joined to the end of the line. */
    private Exchange inLine(Exchange ex) {
        line.add(ex);
        return ex;
    }

    private PermitLedger ledger(int bound, Ordering ordering) {
        return new PermitLedger(bound, ordering == Ordering.ORDERED, line);
    }

    /** Hands out every permit the ledger lets go, in its order. */
    private static List<Exchange> drainGrants(PermitLedger ledger) {
        List<Exchange> granted = new ArrayList<>();
        for (Exchange ex; (ex = ledger.grantNext()) != null;) {
            granted.add(ex);
        }
        return granted;
    }

    @Test
    void permitsNeverExceedTheBoundAndTheRestPark() {
        PermitLedger ledger = ledger(3, Ordering.UNORDERED);
        List<Boolean> answers = new ArrayList<>();
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Exchange ex = fixture.exchange(i);
            exchanges.add(ex);
            answers.add(ledger.grant(inLine(ex)));
        }
        assertEquals(List.of(true, true, true, false, false), answers);
        assertEquals(3, ledger.permits());
        assertTrue(exchanges.get(3).parked && exchanges.get(4).parked);
        assertEquals(List.of(), drainGrants(ledger), "no permit is free");
        assertEquals(3, ledger.permits());
    }

    @Test
    void orderedKeepsTheLastPermitForTheHeadOfTheLine() {
        PermitLedger ledger = ledger(2, Ordering.ORDERED);
        Exchange head = inLine(fixture.running(1));
        Exchange second = inLine(fixture.running(2));
        Exchange third = inLine(fixture.running(3));

        assertTrue(ledger.grant(second), "the first permit goes to anyone");
        assertFalse(ledger.grant(third), "the last one is the head's");
        assertTrue(third.parked);
        assertTrue(ledger.grant(head));
        assertEquals(2, ledger.permits());
    }

    @Test
    void aParkedHeadOfTheLineGetsTheFreedPermitBeforeRunningStreams() {
        PermitLedger ledger = ledger(3, Ordering.ORDERED);
        Exchange head = inLine(fixture.exchange(1));
        Exchange stream = inLine(fixture.running(2));
        assertTrue(ledger.grant(stream));
        assertTrue(ledger.grant(stream));
        ledger.park(head);
        assertFalse(ledger.grant(stream), "the last permit is the head's");

        ledger.release();
        assertEquals(List.of(head), drainGrants(ledger), "the head goes before a running stream");
        assertFalse(head.parked);
        assertTrue(stream.parked, "the one permit left stays the head's");
        ledger.release();
        assertEquals(List.of(stream), drainGrants(ledger));
        assertEquals(2, ledger.permits());
    }

    @Test
    void parkedExchangesAreReleasedRunningStreamsFirstThenOldestFirstAndNoneOvertakes() {
        PermitLedger ledger = ledger(1, Ordering.UNORDERED);
        Exchange holder = fixture.running(1);
        Exchange starved1 = fixture.exchange(2);
        Exchange paused1 = fixture.running(3);
        Exchange starved2 = fixture.exchange(4);
        Exchange paused2 = fixture.running(5);
        for (Exchange ex : List.of(holder, starved1, paused1, starved2, paused2)) {
            ledger.grant(inLine(ex));
        }
        assertEquals(1, ledger.permits());

        List<Exchange> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ledger.release();
            List<Exchange> granted = drainGrants(ledger);
            assertEquals(1, granted.size(), "one freed permit, one exchange released");
            assertEquals(1, ledger.permits(), "never over the bound");
            order.addAll(granted);
        }
        assertEquals(List.of(paused1, paused2, starved1, starved2), order);
        ledger.release();
        assertNull(ledger.grantNext(), "nothing parked any more");
        assertEquals(0, ledger.permits());
    }

    @Test
    void withdrawReturnsTheQueuedFramesPermitsAndTheOneHeldForTheNextStep() {
        PermitLedger ledger = ledger(8, Ordering.UNORDERED);
        Exchange stream = inLine(fixture.running(1));
        // two items queued (each keeps its permit) and a permit held for the next item
        assertTrue(ledger.grant(stream) && ledger.grant(stream) && ledger.grant(stream));
        ledger.withdraw(stream, 2);
        assertEquals(0, ledger.permits());
    }

    @Test
    void withdrawOfAFinishedExchangeReturnsOnlyItsQueuedFrames() {
        PermitLedger ledger = ledger(8, Ordering.UNORDERED);
        Exchange done = inLine(fixture.running(1));
        ledger.grant(done);
        done.finished = true;
        ledger.withdraw(done, 1);
        assertEquals(0, ledger.permits());
    }

    @Test
    void withdrawOfAParkedExchangeTakesItOutOfTurn() {
        PermitLedger ledger = ledger(1, Ordering.UNORDERED);
        Exchange holder = fixture.running(1);
        Exchange cancelled = fixture.running(2);
        Exchange waiting = fixture.running(3);
        for (Exchange ex : List.of(holder, cancelled, waiting)) {
            ledger.grant(inLine(ex));
        }
        ledger.withdraw(cancelled, 0);
        assertFalse(cancelled.parked);
        assertEquals(1, ledger.permits(), "a parked exchange held no permit");

        ledger.release();
        assertSame(waiting, ledger.grantNext());
    }

    @Test
    void clearForgetsPermitsAndParkedExchanges() {
        PermitLedger ledger = ledger(1, Ordering.UNORDERED);
        ledger.grant(inLine(fixture.running(1)));
        ledger.grant(inLine(fixture.running(2)));
        ledger.clear();
        assertEquals(0, ledger.permits());
        assertNull(ledger.grantNext());
    }
}
