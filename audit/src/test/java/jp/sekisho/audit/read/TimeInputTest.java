package jp.sekisho.audit.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Times as people type them into a search: Japan time unless they say otherwise. */
class TimeInputTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2026-12-04T00:00:00Z           | 2026-12-04T00:00:00Z",
                "2026-12-04T09:00:00+09:00      | 2026-12-04T00:00:00Z",
                "2026-12-04T00:00:00.123456Z    | 2026-12-04T00:00:00.123456Z",
                "2026-12-04 09:00               | 2026-12-04T00:00:00Z",
                "2026-12-04 09:00:30            | 2026-12-04T00:00:30Z",
                "2026-12-04 09:00:30 JST        | 2026-12-04T00:00:30Z",
                "2026-12-04T09:00               | 2026-12-04T00:00:00Z",
                "2026/12/04 9:05                | 2026-12-04T00:05:00Z",
                "２０２６－１２－０４ ０９：００ | 2026-12-04T00:00:00Z",
                "2026-12-04                     | 2026-12-03T15:00:00Z",
                "2026/12/4                      | 2026-12-03T15:00:00Z",
                "令和8年12月4日                  | 2026-12-03T15:00:00Z"
            })
    void instantsJapanTimesAndDates(String typed, String expected) {
        assertEquals(Instant.parse(expected), TimeInput.instant("from", typed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2026-13-45", "2026-12-04 25:00", "12:00", "2026-12-04T09:00:00+99:00"})
    void notATimeIsRefusedNamingTheParameterInBothLanguages(String typed) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeInput.instant("to", typed));
        assertTrue(e.getMessage().startsWith("to: 日時として読めません"), e.getMessage());
        assertTrue(e.getMessage().contains(" / not a time"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"30m, PT30M", "1h, PT1H", "1d, P1D", "7d, P7D", "30d, P30D", "１ｈ, PT1H", "2H, PT2H"})
    void sinceIsANumberAndAUnit(String typed, String expected) {
        assertEquals(
                Duration.parse(expected.replace("P1D", "PT24H")
                        .replace("P7D", "PT168H")
                        .replace("P30D", "PT720H")),
                TimeInput.since("since", typed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "h", "1w", "0h", "-1h", "1.5h", "99999d", "1 hour", "last hour"})
    void aSinceThatIsNotOneIsRefusedInBothLanguages(String typed) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TimeInput.since("since", typed));
        assertTrue(e.getMessage().startsWith("since: 30m, 1h, 1d, 7d のように"), e.getMessage());
        assertTrue(e.getMessage().contains(" / must be a number and a unit"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void sinceCountsBackFromTheClockAndBlankIsNoBound() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"), ZoneOffset.UTC);
        assertEquals(Instant.parse("2026-12-04T11:00:00Z"), TimeInput.since("since", "1h", clock));
        assertNull(TimeInput.since("since", " ", clock));
        assertNull(TimeInput.instant("from", ""));
    }
}
