package jp.sekisho.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.EventType;
import org.junit.jupiter.api.Test;

/** The window arithmetic and the bounds, with a clock the test moves. */
class RefusalWindowsTest {

    static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-12-03T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static RefusalWindows.Key key(String ip) {
        return new RefusalWindows.Key(EventType.CONNECTION_REFUSED, "transfer", 8443, ip, "IP_NOT_ALLOWED", null);
    }

    @Test
    void theFirstOfAWindowIsWrittenTheRestSummarisedAndEveryOneCounted() {
        MovingClock clock = new MovingClock();
        RefusalWindows w = new RefusalWindows(Duration.ofSeconds(10), 100, clock);
        List<RefusalWindows.Summary> closed = new ArrayList<>();
        int written = 0;
        for (int i = 0; i < 25_000; i++) { // 25 s at 1,000 a second
            clock.now = clock.now.plusMillis(1);
            written += w.count(key("192.0.2.9"), closed::add) ? 1 : 0;
        }
        closed.addAll(w.flushAll());
        long summed = closed.stream().mapToLong(RefusalWindows.Summary::count).sum();
        assertEquals(25_000, written + summed, "every refusal accounted for");
        assertEquals(3, written, "one window opened per 10 s");
        assertEquals(3, closed.size());
        assertTrue(
                closed.get(0)
                        .detailJson()
                        .startsWith("{\"aggregated\":true,\"count\":9999,\"first\":\"2026-12-03T00:00:00.002Z\""),
                closed.get(0).detailJson());
    }

    @Test
    void sweepClosesPassedWindowsAndFreesTheirKeys() {
        MovingClock clock = new MovingClock();
        RefusalWindows w = new RefusalWindows(Duration.ofSeconds(10), 100, clock);
        assertTrue(w.count(key("192.0.2.1"), s -> {}));
        assertFalse(w.count(key("192.0.2.1"), s -> {}));
        assertTrue(w.count(key("192.0.2.2"), s -> {}));
        clock.now = clock.now.plusSeconds(11);
        List<RefusalWindows.Summary> s = w.sweep();
        assertEquals(1, s.size(), "only the window with further refusals has a summary");
        assertEquals(0, w.size());
    }

    @Test
    void sourcesBeyondTheBoundShareOneOverflowWindow() {
        RefusalWindows w = new RefusalWindows(Duration.ofSeconds(10), 3, new MovingClock());
        int written = 0;
        for (int i = 0; i < 1000; i++) {
            written += w.count(key("10.0." + (i / 250) + "." + (i % 250)), s -> {}) ? 1 : 0;
        }
        assertEquals(3 + 1, written, "three sources, then one overflow window");
        assertEquals(4, w.size());
        List<RefusalWindows.Summary> s = w.flushAll();
        assertEquals(1, s.size());
        assertEquals(996, s.get(0).count());
        assertTrue(s.get(0).detailJson().contains("\"sources\":\"overflow\""));
    }

    @Test
    void theConnectionRateRefusesBeyondTheBurstAndRefills() throws Exception {
        ConnectionRate rate = new ConnectionRate(10, 20);
        InetAddress a = InetAddress.getByName("192.0.2.5");
        int ok = 0;
        for (int i = 0; i < 100; i++) {
            ok += rate.tryAcquire(a) ? 1 : 0;
        }
        assertTrue(ok >= 20 && ok <= 21, "the burst: " + ok);
        assertTrue(rate.tryAcquire(InetAddress.getByName("192.0.2.6")), "another address has its own bucket");
        // at 10 a second a token is back within 100 ms
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(1))
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> rate.tryAcquire(a));
    }
}
