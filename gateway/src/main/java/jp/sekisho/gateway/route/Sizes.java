package jp.sekisho.gateway.route;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Human sizes and durations in configuration files (2GiB, 500MB, 7d, 12h, 30m), and sizes as pages show them. */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(S|M|H|D)");

    private Sizes() {}

    public static long parseSize(String s) {
        Matcher m = SIZE.matcher(s.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + s + "' は大きさではありません（例: 500MB、2GiB）。 '" + s + "' is not a size (e.g. 500MB, 2GiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "KB" -> 1000L;
            case "KIB" -> 1L << 10;
            case "MB" -> 1000L * 1000;
            case "MIB" -> 1L << 20;
            case "GB" -> 1000L * 1000 * 1000;
            case "GIB" -> 1L << 30;
            case "TB" -> 1000L * 1000 * 1000 * 1000;
            default -> 1L << 40;
        };
        return Math.multiplyExact(n, factor);
    }

    public static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (e.g. 30m, 12h, 7d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "S" -> Duration.ofSeconds(n);
            case "M" -> Duration.ofMinutes(n);
            case "H" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** 512 B, 2.9 MiB, 1.0 GiB: binary units, one decimal, as the console shows a size. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** 3,000,000 bytes, grouped for reading. */
    public static String exact(long bytes) {
        return String.format(Locale.ROOT, "%,d", bytes);
    }
}
