package jp.sekisho.client.transfer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retry delays: exponential from {@code first}, doubling up to {@code max}, with ±20 % jitter so
 * that many clients cut off by one outage do not come back in the same millisecond. After
 * {@code attempts} failures in a row the caller gives up; a success resets the count.
 */
public final class Backoff {

    /** How a retry waits; tests replace it to run without sleeping. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public static final Sleeper REAL = d -> Thread.sleep(d.toMillis());

    private final Duration first;
    private final Duration max;
    private final int attempts;
    private final Sleeper sleeper;
    private int failures;

    public Backoff(Duration first, Duration max, int attempts, Sleeper sleeper) {
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be 0 or more");
        }
        this.first = first;
        this.max = max;
        this.attempts = attempts;
        this.sleeper = sleeper;
    }

    public static Backoff standard(int attempts) {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), attempts, REAL);
    }

    /** The delay before retry number {@code n} (1-based), without jitter. */
    public Duration delay(int n) {
        long ms = first.toMillis();
        for (int i = 1; i < n && ms < max.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }

    /** Records a failure; false when the retries are used up, otherwise waits the next delay and returns true. */
    public boolean failed() throws InterruptedException {
        failures++;
        if (failures > attempts) {
            return false;
        }
        long ms = delay(failures).toMillis();
        long jitter = ms / 5;
        long wait = jitter == 0 ? ms : ms - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
        sleeper.sleep(Duration.ofMillis(wait));
        return true;
    }

    /** Progress was made: the next failure starts from the first delay again. */
    public void succeeded() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
