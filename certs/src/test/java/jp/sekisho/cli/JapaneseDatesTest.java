package jp.sekisho.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class JapaneseDatesTest {

    @Test
    void councilDatesInEveryFormTheSecretariatWrites() {
        LocalDate d = LocalDate.of(2027, 1, 1);
        for (String s : new String[] {
            "令和9年1月1日", "令和９年１月１日", "R9.1.1", "r09/01/01", "令和 9年 1月 1日", "2027-01-01", "2027/1/1", "２０２７年１月１日"
        }) {
            assertEquals(d, JapaneseDates.parse(s), s);
        }
        assertEquals(LocalDate.of(2019, 5, 1), JapaneseDates.parse("令和元年5月1日"));
        assertEquals(LocalDate.of(2019, 4, 30), JapaneseDates.parse("平成31年4月30日"));
    }

    @Test
    void datesOutsideTheirEraOrCalendarAreRefusedWithTheFormsToUse() {
        for (String s : new String[] {"平成32年1月1日", "令和元年4月30日", "令和2年2月30日", "2027-13-01", "来年", "9999999999-1-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JapaneseDates.parse(s), s);
            assertTrue(e.getMessage().contains(" / "), e.getMessage()); // Japanese and English
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JapaneseDates.parse("明日"))
                .getMessage()
                .contains(JapaneseDates.FORMS));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JapaneseDates.parse("\u001b[2J"))
                .getMessage()
                .contains("\\x1b"));
    }

    @Test
    void shownInTheEraAndWesternCalendarsAndTimesInTokyo() {
        assertEquals("令和2年4月30日 (2020-04-30)", JapaneseDates.eraAndWestern(LocalDate.of(2020, 4, 30)));
        assertEquals("令和元年5月1日", JapaneseDates.era(LocalDate.of(2019, 5, 1)));
        assertEquals("平成31年4月30日", JapaneseDates.era(LocalDate.of(2019, 4, 30)));
        assertEquals("2026-12-04 21:20:19", JapaneseDates.time(Instant.parse("2026-12-04T12:20:19.123456Z")));
    }

    @Test
    void tablesLineUpWithJapaneseText() {
        String t = new TextTable("参照番号 Ref", "状態 Status")
                .row("2総政第158号", "APPROVED")
                .row("x", "停止\u001b[31m")
                .render();
        String[] lines = t.split("\n");
        assertEquals(3, lines.length);
        // the second column starts at the same terminal column on every line
        int col = DisplayWidth.of(lines[0].substring(0, lines[0].indexOf("状態")));
        assertEquals(col, DisplayWidth.of(lines[1].substring(0, lines[1].indexOf("APPROVED"))));
        assertEquals(col, DisplayWidth.of(lines[2].substring(0, lines[2].indexOf("停止"))));
        assertTrue(lines[2].endsWith("停止\\x1b[31m"), lines[2]);
    }
}
