package jp.sekisho.client.transfer;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values with units: sizes ({@code 32MiB}, {@code 64M}, {@code 1048576}) and durations ({@code 5s}, {@code 500ms}, {@code 2m}). */
public final class Units {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");
    private static final Pattern TIME = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Units() {}

    public static long size(String s) {
        Matcher m = SIZE.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + s + "' は大きさではありません（例: 32MiB、64M、1048576）。 '" + s
                    + "' is not a size (e.g. 32MiB, 64M, 1048576)");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "k", "kb", "kib" -> 1024L;
            case "m", "mb", "mib" -> 1024L * 1024;
            case "g", "gb", "gib" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return Math.multiplyExact(n, unit);
    }

    public static Duration duration(String s) {
        Matcher m = TIME.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException(
                    "'" + s + "' は時間の長さではありません（例: 5s、500ms、2m）。 '" + s + "' is not a duration (e.g. 5s, 500ms, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    public static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return size(value);
        }
    }

    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }
}
