package jp.sekisho.cli;

import java.text.Normalizer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.chrono.JapaneseDate;
import java.time.chrono.JapaneseEra;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dates as the council writes them and times as municipal staff read them: the Japanese era
 * (令和9年1月1日, R9.1.1, 令和元年5月1日) or the Western calendar (2027-01-01, 2027/1/1, 2027年1月1日),
 * full-width digits included; every time shown in Asia/Tokyo to the second. The JDK's Japanese
 * chronology checks the era's bounds (平成32年 and 令和元年4月 are refused), so none is hard-coded here.
 */
public final class JapaneseDates {

    public static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    /** What {@link #parse} accepts, for error messages and --help. */
    public static final String FORMS = "令和9年1月1日, 令和元年5月1日, R9.1.1, 2027-01-01, 2027/1/1, 2027年1月1日";

    private static final Map<String, JapaneseEra> ERAS = Map.of(
            "令和", JapaneseEra.REIWA,
            "R", JapaneseEra.REIWA,
            "平成", JapaneseEra.HEISEI,
            "H", JapaneseEra.HEISEI,
            "昭和", JapaneseEra.SHOWA,
            "S", JapaneseEra.SHOWA);

    private static final Map<JapaneseEra, String> ERA_NAMES =
            Map.of(JapaneseEra.REIWA, "令和", JapaneseEra.HEISEI, "平成", JapaneseEra.SHOWA, "昭和");

    private static final Pattern ERA =
            Pattern.compile("(令和|平成|昭和|[RHS])(元|\\d{1,2})(?:年|[./-])(\\d{1,2})(?:月|[./-])(\\d{1,2})日?");
    private static final Pattern WESTERN = Pattern.compile("(\\d{4})(?:年|[./-])(\\d{1,2})(?:月|[./-])(\\d{1,2})日?");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    private static final int MAX_INPUT = 64;

    private JapaneseDates() {}

    /**
     * Reads a council date in any of {@link #FORMS}.
     *
     * @throws IllegalArgumentException with a Japanese and English message naming the accepted forms
     */
    public static LocalDate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("日付が空です / the date is empty; write it as one of: " + FORMS);
        }
        if (text.length() > MAX_INPUT) {
            throw new IllegalArgumentException(
                    "日付が長すぎます / the date is too long (at most " + MAX_INPUT + " characters)");
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC)
                .replaceAll("\\s+", "")
                .toUpperCase(java.util.Locale.ROOT);
        try {
            Matcher m = ERA.matcher(s);
            if (m.matches()) {
                JapaneseEra era = ERAS.get(m.group(1));
                int year = "元".equals(m.group(2)) ? 1 : Integer.parseInt(m.group(2));
                return LocalDate.from(
                        JapaneseDate.of(era, year, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))));
            }
            m = WESTERN.matcher(s);
            if (m.matches()) {
                return LocalDate.of(
                        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "存在しない日付です / no such date: '" + Printable.of(text) + "' (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException(
                "日付として読めません / not a date: '" + Printable.of(text) + "'; write it as one of: " + FORMS);
    }

    /** 令和2年4月30日; the first year of an era is 元年, as the council writes it. Before 昭和: Western only. */
    public static String era(LocalDate d) {
        JapaneseDate j = JapaneseDate.from(d);
        String name = ERA_NAMES.get(j.getEra());
        if (name == null) {
            return d.toString();
        }
        int y = j.get(java.time.temporal.ChronoField.YEAR_OF_ERA);
        return name + (y == 1 ? "元" : Integer.toString(y)) + "年" + d.getMonthValue() + "月" + d.getDayOfMonth() + "日";
    }

    /** 令和2年4月30日 (2020-04-30): both calendars, as the console and reports show a date. */
    public static String eraAndWestern(LocalDate d) {
        return d == null ? "" : era(d) + " (" + d + ")";
    }

    /** 2026-12-04 21:20:19 in Asia/Tokyo, seconds only (the stored microseconds help nobody reading). */
    public static String time(Instant t) {
        return t == null ? "" : TIME.format(ZonedDateTime.ofInstant(t, TOKYO));
    }

    /** {@link #time} followed by " JST", for text read outside the console (CLI, CSV headers). */
    public static String timeJst(Instant t) {
        return t == null ? "" : time(t) + " JST";
    }

    /** Today in Tokyo: council dates are Tokyo dates. */
    public static LocalDate today(java.time.Clock clock) {
        return LocalDate.ofInstant(clock.instant(), TOKYO);
    }
}
