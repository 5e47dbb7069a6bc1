package jp.sekisho.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.cli.DisplayWidth;

/**
 * Where a command's time went ({@code send --timings}, {@code receive --timings}; issue 18): the
 * fixed cost of an everyday hand-off is start-up, keys, the TLS handshake and the gateway's durable
 * answers, and a batch system pays it on every file. Each step is the wall time from the previous
 * mark; the first runs from the launcher's start to {@code main} (the launcher, then the JVM).
 */
public final class Timings {

    private static volatile long mainEnteredMillis = System.currentTimeMillis();

    private record Mark(String label, long atMillis) {}

    private final boolean on;
    private final List<Mark> marks = new ArrayList<>();

    private Timings(boolean on) {
        this.on = on;
    }

    /** Called first thing in {@code main}: the end of the start-up step. */
    static void mainEntered() {
        mainEnteredMillis = System.currentTimeMillis();
    }

    /** Timings that record when {@code on}, and do nothing otherwise. */
    public static Timings of(boolean on) {
        Timings t = new Timings(on);
        if (on) {
            long launched = launchedAtMillis(System.getenv("SEKISHO_LAUNCHED_AT"), mainEnteredMillis);
            if (launched < mainEnteredMillis) {
                t.marks.add(new Mark("", launched));
                t.marks.add(new Mark("起動 / start (launcher, JVM)", mainEnteredMillis));
            } else {
                t.marks.add(new Mark("", mainEnteredMillis)); // run without a launcher: from main on
            }
            // from main to the command's own code: picocli building the command's model and parsing
            t.marks.add(new Mark("コマンド行 / command line (picocli)", System.currentTimeMillis()));
        }
        return t;
    }

    /**
     * When the launcher started: it exports bash's {@code $EPOCHREALTIME} (seconds with microseconds,
     * no process forked to read it). The kernel's process start time is no substitute: Java derives it
     * from the boot time, which /proc gives to the second. Anything unreadable or not in the last
     * minute before {@code main} is ignored.
     */
    static long launchedAtMillis(String epochRealTime, long mainMillis) {
        if (epochRealTime == null || !epochRealTime.matches("\\d{1,12}[.,]\\d{1,9}")) {
            return mainMillis;
        }
        long millis = new java.math.BigDecimal(epochRealTime.replace(',', '.'))
                .movePointRight(3)
                .longValue();
        return millis <= mainMillis && mainMillis - millis < 60_000 ? millis : mainMillis;
    }

    /** The step that ends now, named Japanese first, English beside it. */
    public void mark(String label) {
        if (on) {
            marks.add(new Mark(label, System.currentTimeMillis()));
        }
    }

    /** Prints each step and the total on {@code err}; nothing when off. */
    public void print(PrintWriter err) {
        if (!on || marks.size() < 2) {
            return;
        }
        err.println("所要時間 / timings:");
        for (int i = 1; i < marks.size(); i++) {
            line(
                    err,
                    marks.get(i).label(),
                    marks.get(i).atMillis() - marks.get(i - 1).atMillis());
        }
        line(
                err,
                "合計 / total",
                marks.get(marks.size() - 1).atMillis() - marks.get(0).atMillis());
        err.flush();
    }

    private static void line(PrintWriter err, String label, long millis) {
        err.printf("  %s %7d ms%n", DisplayWidth.pad(label, 36), millis);
    }
}
