package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The waiters' bookkeeping on its own, with the store's listing replaced by a list the test sets:
 * the per-node bound, the re-check while notifications are not heard, and the wait values accepted.
 * The HTTP, PostgreSQL and two-node behaviour is {@link InboxLongPollTest}'s.
 */
class InboxWaitsTest {

    static final Transfer STORED = new Transfer(
            "t1",
            "r",
            "A-1",
            "gw1",
            "CN=s",
            "00",
            "f.cms",
            1L,
            "00",
            1,
            1,
            TransferState.STORED,
            null,
            Instant.EPOCH,
            Instant.EPOCH,
            Instant.EPOCH,
            null,
            null,
            Instant.EPOCH,
            null);

    @Test
    void beyondTheBoundAListingIsAnsweredAtOnce() {
        try (InboxWaits waits = new InboxWaits(r -> List.of(), 2, () -> true)) {
            assertEquals(
                    Duration.ofSeconds(30),
                    waits.await("r", Duration.ofSeconds(30)).granted());
            assertEquals(
                    Duration.ofSeconds(30),
                    waits.await("q", Duration.ofSeconds(30)).granted());
            InboxWaits.Pending third = waits.await("r", Duration.ofSeconds(30));
            assertEquals(Duration.ZERO, third.granted(), "the node holds two already");
            assertTrue(third.answer().isDone());
            assertEquals(2, waits.waiting());
        }
    }

    @Test
    void withoutNotificationsWaitersAreRecheckedEveryFewSeconds() throws Exception {
        AtomicReference<List<Transfer>> store = new AtomicReference<>(List.of());
        AtomicInteger listings = new AtomicInteger();
        try (InboxWaits waits = countingWaits(store, listings, 10, false)) {
            InboxWaits.Pending p = waits.await("r", Duration.ofSeconds(50));
            assertFalse(p.answer().isDone());
            long t0 = System.nanoTime();
            store.set(List.of(STORED)); // stored without any wake-up: a notification this node missed
            assertEquals(List.of(STORED), p.answer().get(20, TimeUnit.SECONDS));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(took.compareTo(InboxWaits.RECHECK_EVERY.multipliedBy(3)) < 0, "re-checked after " + took);
            awaitNoWaiters(waits);
        }
    }

    @Test
    void manyWakeUpsOfOneRouteMakeFewListings() throws Exception {
        AtomicReference<List<Transfer>> store = new AtomicReference<>(List.of());
        AtomicInteger listings = new AtomicInteger();
        try (InboxWaits waits = countingWaits(store, listings, 100, true)) {
            List<InboxWaits.Pending> held = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                held.add(waits.await("r", Duration.ofSeconds(50)));
            }
            assertEquals(50, listings.get(), "one listing each when it arrives");
            store.set(List.of(STORED));
            for (int i = 0; i < 100; i++) {
                waits.wake("r");
            }
            for (InboxWaits.Pending p : held) {
                assertEquals(List.of(STORED), p.answer().get(20, TimeUnit.SECONDS));
            }
            assertTrue(listings.get() - 50 <= 4, "wake-ups coalesced: " + (listings.get() - 50) + " listings");
            awaitNoWaiters(waits);
        }
    }

    /**
     * A waiter leaves the count in its answer's completion callback, which may still be running on the
     * answering thread when get() has returned here: the count drains just after the last answer.
     */
    private static void awaitNoWaiters(InboxWaits waits) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> waits.waiting() == 0);
    }

    @Test
    void waitValues() {
        assertEquals(Duration.ZERO, InboxWait.parse(null));
        assertEquals(Duration.ofSeconds(25), InboxWait.parse("25"));
        assertEquals(Duration.ofSeconds(25), InboxWait.parse("25s"));
        assertEquals(Duration.ofMillis(500), InboxWait.parse("500ms"));
        assertEquals(Duration.ofSeconds(60), InboxWait.parse("60s"));
        for (String bad : List.of("61", "60001ms", "-1", "1m", "1.5", "", " 5", "5 s", "9999999")) {
            TransferProblem e = assertThrows(TransferProblem.class, () -> InboxWait.parse(bad), bad);
            assertEquals("INBOX_WAIT_INVALID", e.reason());
        }
    }

    /** Waits whose listing reads {@code store} and counts itself in {@code listings}. */
    private static InboxWaits countingWaits(
            AtomicReference<List<Transfer>> store, AtomicInteger listings, int capacity, boolean notificationsUp) {
        return new InboxWaits(
                r -> {
                    listings.incrementAndGet();
                    return store.get();
                },
                capacity,
                () -> notificationsUp);
    }
}
