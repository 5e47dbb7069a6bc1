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

    @Test
    void theCommandLineIsAStepOfItsOwnBeforeTheCommandsSteps() {
        Timings t = Timings.of(true);
        t.mark("鍵 / identity and keys");
        java.io.StringWriter out = new java.io.StringWriter();
        t.print(new java.io.PrintWriter(out, true));
        String printed = out.toString();
        int line = printed.indexOf("コマンド行 / command line (picocli)");
        int keys = printed.indexOf("鍵 / identity and keys");
        int total = printed.indexOf("合計 / total");
        org.junit.jupiter.api.Assertions.assertTrue(0 < line && line < keys && keys < total, printed);
        StringBuilder nothing = new StringBuilder();
        Timings.of(false)
                .print(new java.io.PrintWriter(
                        new java.io.StringWriter() {
                            @Override
                            public void write(String str) {
                                nothing.append(str);
                            }
                        },
                        true));
        assertEquals("", nothing.toString(), "off prints nothing");
    }
}
