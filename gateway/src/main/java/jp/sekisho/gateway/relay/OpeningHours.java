package jp.sekisho.gateway.relay;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * When a relay route carries requests, in Asia/Tokyo, as an approval's conditions may state them
 * ("平日 8:30〜18:00"). {@code to} is exclusive; {@code from} after {@code to} spans midnight.
 */
public record OpeningHours(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

    public static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    public OpeningHours {
        days = Set.copyOf(days);
        if (days.isEmpty()) {
            throw new IllegalArgumentException("opening hours need at least one day");
        }
        if (from.equals(to)) {
            throw new IllegalArgumentException("opening hours from and to are the same time");
        }
    }

    public boolean isOpen(Instant now) {
        ZonedDateTime t = now.atZone(TOKYO);
        LocalTime time = t.toLocalTime();
        if (from.isBefore(to)) {
            return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
        }
        // spans midnight: the stretch after midnight belongs to the day before
        if (!time.isBefore(from)) {
            return days.contains(t.getDayOfWeek());
        }
        return time.isBefore(to) && days.contains(t.getDayOfWeek().minus(1));
    }
}
