package jp.sekisho.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** What a report does to a value before any renderer sees it, and to a Markdown cell; the period's rules. */
class ReportTextTest {

    @Test
    void controlAndBidiCharactersBecomeVisibleAndNewlinesStayOnlyInFreeText() {
        assertEquals("a\\x1B[31mb\\x07", ReportText.clean("a\u001b[31mb\u0007"));
        assertEquals("x\\u202Ey", ReportText.clean("x\u202Ey"));
        assertEquals("one\\x0Atwo", ReportText.clean("one\ntwo"));
        assertEquals("one\ntwo\nthree", ReportText.lines("one\r\ntwo\rthree"));
        assertEquals("\\uD800", ReportText.clean("\uD800"));
        assertEquals("𠮷", ReportText.clean("𠮷"));
        assertEquals("", ReportText.clean(null));
        String longText = "あ".repeat(ReportText.MAX_CHARS + 5);
        assertTrue(ReportText.clean(longText).endsWith("…[" + longText.length() + " chars]"));
    }

    @Test
    void aMarkdownCellCannotLeaveItsCellNorCarryHtml() {
        assertEquals(
                "&lt;script&gt;x&lt;/script&gt; \\| a<br>b \\*c\\* \\[l\\](u) &amp;amp;",
                MarkdownReport.cell("<script>x</script> | a\nb *c* [l](u) &amp;"));
        assertEquals("C:\\\\dir", MarkdownReport.cell("C:\\dir"));
    }

    @Test
    void datesCarryTheEraAndTimesAreTokyoTime() {
        assertEquals("令和8年4月1日 (2026-04-01)", ReportText.date(LocalDate.of(2026, 4, 1)));
        assertEquals("令和8年12月5日 09:00:00 JST (2026-12-05)", ReportText.time(Instant.parse("2026-12-05T00:00:00Z")));
    }

    @Test
    void aPeriodIsTokyoDaysBothEndsIncludedAndBounded() {
        ReportPeriod p = ReportPeriod.parse("令和8年4月1日", "R9.3.31", null);
        assertEquals(LocalDate.of(2026, 4, 1), p.from());
        assertEquals(Instant.parse("2026-03-31T15:00:00Z"), p.start());
        assertEquals(Instant.parse("2027-03-31T15:00:00Z"), p.end());
        assertThrows(IllegalArgumentException.class, () -> ReportPeriod.parse("2027-01-01", "2026-01-01", null));
        assertThrows(IllegalArgumentException.class, () -> ReportPeriod.parse("2020-01-01", "2026-01-01", null));
        assertThrows(IllegalArgumentException.class, () -> ReportPeriod.year(1066));
        assertEquals(LocalDate.of(2026, 12, 31), ReportPeriod.year(2026).to());
    }
}
