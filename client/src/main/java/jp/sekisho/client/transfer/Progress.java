package jp.sekisho.client.transfer;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar, redrawn in place ({@code \r}) at most every 200 ms, for a person at a
 * terminal. {@link #none()} prints nothing, for scripts and logs (no terminal).
 */
public class Progress {

    private final PrintWriter out;
    private final String label;
    private final LongSupplier clock;
    private long total;
    private long startNanos;
    private long startBytes;
    private long lastDraw = Long.MIN_VALUE;
    private boolean drawn;

    Progress(PrintWriter out, String label, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.clock = clock;
    }

    /** A bar on the terminal when there is one, else nothing. */
    public static Progress forTerminal(String label) {
        Console console = System.console();
        return isTerminal(console) ? new Progress(console.writer(), label, System::nanoTime) : none();
    }

    /**
     * Whether {@code console} is a terminal. Up to JDK 21 {@link System#console()} is null without one;
     * from JDK 22 on it returns a console even when the output is redirected, and only
     * {@code Console.isTerminal()} (JDK 22+, hence by reflection here) tells.
     */
    static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22: a console exists only on a terminal
        }
    }

    public static Progress none() {
        return new Progress(null, "", System::nanoTime);
    }

    public void start(long totalBytes, long alreadyDone) {
        this.total = totalBytes;
        this.startNanos = clock.getAsLong();
        this.startBytes = alreadyDone;
        update(alreadyDone);
    }

    public void update(long done) {
        if (out == null) {
            return;
        }
        long now = clock.getAsLong();
        if (drawn && now - lastDraw < 200_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        drawn = true;
        out.print("\r" + line(done, now));
        out.flush();
    }

    /** Leaves the bar's last state on its own line. */
    public void finish(long done) {
        if (out == null) {
            return;
        }
        lastDraw = Long.MIN_VALUE;
        drawn = false;
        update(done);
        out.println();
        out.flush();
    }

    String line(long done, long now) {
        int width = 30;
        double frac = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(frac * width);
        double secs = (now - startNanos) / 1e9;
        double rate = secs > 0 ? (done - startBytes) / secs : 0;
        String eta = rate > 0 && done < total ? " ETA " + seconds((long) ((total - done) / rate)) : "";
        return String.format(
                Locale.ROOT,
                "%s [%s%s] %3d%% %s / %s %s/s%s",
                label,
                "#".repeat(filled),
                " ".repeat(width - filled),
                (int) (frac * 100),
                bytes(done),
                bytes(total),
                bytes((long) rate),
                eta);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String seconds(long s) {
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
