package jp.sekisho.audit.read;

import java.text.Normalizer;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.cli.JapaneseDates;

/**
 * The times a person gives a search, read the same way by {@code audit search}/{@code export} and
 * the gateway's audit API and console: an instant ({@code 2026-12-04T00:00:00Z}, or with an offset),
 * a local time read in Asia/Tokyo ({@code 2026-12-04 09:00}, {@code 2026-12-04 09:00:00 JST}), a date
 * (its midnight in Tokyo; era and full-width forms too, see {@link JapaneseDates#parse}), and a
 * relative "since" ({@code 30m}, {@code 1h}, {@code 1d}, {@code 7d}). Errors name the parameter and
 * the accepted forms, Japanese first.
 */
public final class TimeInput {

    /** The forms {@link #instant} reads, for help texts and messages. */
    public static final String FORMS = "2026-12-04T00:00:00Z, 2026-12-04 09:00 (JST), 2026-12-04 (JST), 令和8年12月4日";

    /** Longest "since" accepted: about ten years. */
    public static final Duration MAX_SINCE = Duration.ofDays(3660);

    private static final int MAX_INPUT = 64;

    private static final Pattern SINCE = Pattern.compile("(\\d{1,7})\\s*([mhd])");

    /** 2026-12-04 09:00, 2026-12-04T09:00:00.123, 2026/12/04 9:00 */
    private static final DateTimeFormatter LOCAL = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR, 4)
            .appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 1, 2, java.time.format.SignStyle.NOT_NEGATIVE)
            .appendLiteral('-')
            .appendValue(ChronoField.DAY_OF_MONTH, 1, 2, java.time.format.SignStyle.NOT_NEGATIVE)
            .appendLiteral(' ')
            .appendValue(ChronoField.HOUR_OF_DAY, 1, 2, java.time.format.SignStyle.NOT_NEGATIVE)
            .appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart()
            .appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
            .optionalEnd()
            .optionalEnd()
            .toFormatter(Locale.ROOT)
            .withResolverStyle(java.time.format.ResolverStyle.STRICT)
            .withChronology(java.time.chrono.IsoChronology.INSTANCE);

    private TimeInput() {}

    /**
     * A point in time from any of {@link #FORMS}; null or blank is null (no bound).
     *
     * @param name the parameter or option, for the message
     */
    public static Instant instant(String name, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (text.length() > MAX_INPUT) {
            throw bad(name, text);
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).strip();
        try {
            return OffsetDateTime.parse(s).toInstant(); // 2026-12-04T00:00:00Z, ...+09:00
        } catch (DateTimeParseException notOffset) {
            // a local time or a date, below
        }
        String local = s.replaceFirst("(?i)\\s*JST$", "").replace('/', '-').replace('T', ' ');
        try {
            return LocalDateTime.parse(local, LOCAL).atZone(JapaneseDates.TOKYO).toInstant();
        } catch (DateTimeParseException notLocal) {
            // a date, below
        }
        try {
            return LocalDate.parse(local).atStartOfDay(JapaneseDates.TOKYO).toInstant();
        } catch (DateTimeParseException notIsoDate) {
            // an era or Western date, below
        }
        try {
            return JapaneseDates.parse(s).atStartOfDay(JapaneseDates.TOKYO).toInstant();
        } catch (IllegalArgumentException | DateTimeException e) {
            throw bad(name, text);
        }
    }

    /** How far back a relative "since" reaches: {@code 30m}, {@code 1h}, {@code 1d}, {@code 7d}; null or blank is null. */
    public static Duration since(String name, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (text.length() > MAX_INPUT) {
            throw badSince(name, text);
        }
        Matcher m = SINCE.matcher(
                Normalizer.normalize(text, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw badSince(name, text);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (n == 0 || d.compareTo(MAX_SINCE) > 0) {
            throw badSince(name, text);
        }
        return d;
    }

    /** The instant {@link #since(String, String)} reaches back to from now; null when not given. */
    public static Instant since(String name, String text, Clock clock) {
        Duration d = since(name, text);
        return d == null ? null : clock.instant().minus(d);
    }

    private static IllegalArgumentException bad(String name, String text) {
        return new IllegalArgumentException(name + ": 日時として読めません。" + FORMS + " のように指定してください"
                + " / not a time; write it like " + FORMS + " (a time without offset is Japan time), not '"
                + QueryChecks.clip(text) + "'");
    }

    private static IllegalArgumentException badSince(String name, String text) {
        return new IllegalArgumentException(name + ": 30m, 1h, 1d, 7d のように数と単位 (m=分, h=時間, d=日) で指定してください"
                + " (1分〜" + MAX_SINCE.toDays() + "日) / must be a number and a unit, m minutes, h hours or d days,"
                + " e.g. 30m, 1h, 1d, 7d (1 minute to " + MAX_SINCE.toDays() + " days), not '"
                + QueryChecks.clip(text) + "'");
    }
}
