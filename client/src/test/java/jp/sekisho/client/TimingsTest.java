package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The launcher's start time, as bash's $EPOCHREALTIME gives it, read or ignored. */
class TimingsTest {

    private static final long MAIN = 1_764_900_000_500L;

    @Test
    void theLaunchersTimeIsReadToTheMillisecond() {
        assertEquals(MAIN - 250, Timings.launchedAtMillis("1764900000.250123", MAIN));
        assertEquals(MAIN - 250, Timings.launchedAtMillis("1764900000,250123", MAIN), "a locale's decimal comma");
    }

    @Test
    void anythingElseMeansNoStartStep() {
        for (String bad : new String[] {null, "", "abc", "1764900000", "1764900001.0", "1764800000.0", "-1.5"}) {
            assertEquals(MAIN, Timings.launchedAtMillis(bad, MAIN), String.valueOf(bad));
        }
    }
}
