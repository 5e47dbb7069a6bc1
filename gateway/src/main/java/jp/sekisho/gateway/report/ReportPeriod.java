package jp.sekisho.gateway.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import jp.sekisho.cli.JapaneseDates;

/**
 * The days a report covers, as the council counts them: Tokyo dates, both ends included.
 *
 * @param from first day (Asia/Tokyo)
 * @param to   last day (Asia/Tokyo), inclusive
 */
public record ReportPeriod(LocalDate from, LocalDate to) {

    /** The longest period one report reads: bounds the work a request can ask for (five years of months). */
    static final long MAX_DAYS = 5 * 366;

    public ReportPeriod {
        if (from == null || to == null) {
            throw new IllegalArgumentException("期間の両端が必要です / a period needs both ends (from and to)");
        }
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("期間の開始が終了より後です / the period starts after it ends: " + from + " > " + to);
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new IllegalArgumentException(
                    "期間が長すぎます（5年まで） / the period is longer than five years: " + from + " to " + to);
        }
    }

    /** The calendar year {@code year} (1 January to 31 December). */
    public static ReportPeriod year(int year) {
        if (year < 1989 || year > 9999) {
            throw new IllegalArgumentException("年が範囲外です（1989〜9999） / year out of range (1989 to 9999): " + year);
        }
        return new ReportPeriod(LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31));
    }

    /**
     * The period from two texts in any form {@link JapaneseDates#parse} accepts (令和8年4月1日, R8.4.1, 2026-04-01);
     * a missing end takes the default's.
     */
    public static ReportPeriod parse(String from, String to, ReportPeriod defaults) {
        LocalDate f = from == null || from.isBlank() ? defaults.from() : JapaneseDates.parse(from);
        LocalDate t = to == null || to.isBlank() ? defaults.to() : JapaneseDates.parse(to);
        return new ReportPeriod(f, t);
    }

    /** The first instant of the period. */
    public Instant start() {
        return from.atStartOfDay(JapaneseDates.TOKYO).toInstant();
    }

    /** The first instant after the period. */
    public Instant end() {
        return to.plusDays(1).atStartOfDay(JapaneseDates.TOKYO).toInstant();
    }

    /** Whether the days {@code a}..{@code b} (inclusive) share at least one day with this period. */
    public boolean overlaps(LocalDate a, LocalDate b) {
        return !a.isAfter(to) && !b.isBefore(from);
    }

    /** 令和8年4月1日 (2026-04-01) 〜 令和9年3月31日 (2027-03-31) */
    public String text() {
        return JapaneseDates.eraAndWestern(from) + " 〜 " + JapaneseDates.eraAndWestern(to);
    }
}
