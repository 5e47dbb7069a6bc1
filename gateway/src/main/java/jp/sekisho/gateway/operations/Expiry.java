package jp.sekisho.gateway.operations;

import java.time.Duration;
import java.time.Instant;

/**
 * How close an end date is, as the operator's page shows it: whole days left (negative once past),
 * and whether it is time to act.
 *
 * @param warn true from {@code warnBefore} ahead of the end, and once past it
 */
public record Expiry(Instant end, long daysLeft, boolean warn, boolean past) {

    public static Expiry of(Instant end, Instant now, Duration warnBefore) {
        long seconds = Duration.between(now, end).getSeconds();
        boolean past = end.isBefore(now);
        return new Expiry(
                end,
                Math.floorDiv(seconds, 86_400L),
                past || !now.plus(warnBefore).isBefore(end),
                past);
    }
}
