package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapWithJitterAndGiveUpAfterTheLastAttempt() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(4), 5, slept::add);
        for (int i = 0; i < 5; i++) {
            assertTrue(b.failed());
        }
        assertFalse(b.failed(), "the sixth failure in a row gives up");
        long[] base = {500, 1000, 2000, 4000, 4000};
        for (int i = 0; i < 5; i++) {
            long ms = slept.get(i).toMillis();
            assertTrue(ms >= base[i] * 0.8 && ms <= base[i] * 1.2, "retry " + (i + 1) + " waited " + ms + " ms");
        }
    }

    @Test
    void progressResetsTheCount() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, slept::add);
        assertTrue(b.failed());
        assertTrue(b.failed());
        b.succeeded();
        assertTrue(b.failed(), "a chunk that got through gives the next failure its retries back");
        assertTrue(slept.get(2).toMillis() <= 120, "and starts from the first delay: " + slept.get(2));
        assertEquals(1, b.failures());
    }
}
