package jp.sekisho.envelope.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A size option ({@code 64GiB}, {@code 512M}, {@code 1048576}), at least one byte. */
final class SizeOption implements ITypeConverter<Long> {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)");

    @Override
    public Long convert(String value) {
        Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' は大きさではありません（例: 64GiB、512M、1048576）。 '" + value
                    + "' is not a size (e.g. 64GiB, 512M, 1048576)");
        }
        long unit = switch (m.group(2)) {
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            case "t", "tb", "tib" -> 1L << 40;
            default -> 1L;
        };
        try {
            long n = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (n < 1) {
                throw new TypeConversionException("'" + value + "': the size must be at least 1 byte");
            }
            return n;
        } catch (ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is too large");
        }
    }
}
