package jp.sekisho.client.agent;

import java.time.Duration;

/**
 * The agent's wait after a failure of the gateway: 0.5 s doubling up to {@code max}, never giving
 * up, and whether the gateway is down now, so that the log says so once per change, not every try.
 */
final class Retry {

    private static final Duration FIRST = Duration.ofMillis(500);

    private final Duration max;
    private int failures;

    Retry(Duration max) {
        this.max = max;
    }

    /** A new backoff with the same ceiling, for a failure of its own. */
    Retry fresh() {
        return new Retry(max);
    }

    /** True on the first failure after a success: the moment to log "unavailable". */
    boolean failed() {
        failures++;
        return failures == 1;
    }

    /** True when this success ends a run of failures: the moment to log "available again". */
    boolean succeeded() {
        boolean wasDown = failures > 0;
        failures = 0;
        return wasDown;
    }

    boolean down() {
        return failures > 0;
    }

    /** How long to wait before the next try. */
    Duration delay() {
        long ms = FIRST.toMillis();
        for (int i = 1; i < failures && ms < max.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }
}
