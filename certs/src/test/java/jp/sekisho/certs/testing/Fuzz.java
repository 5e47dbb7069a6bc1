package jp.sekisho.certs.testing;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small seeded fuzz harness for the tests (issue 12): it runs a check on many random inputs, and
 * on a failure names the one seed that reproduces it.
 *
 * <p>System properties (set with {@code -D} on the mvn command line; surefire passes them to the
 * forked test JVM):
 *
 * <ul>
 *   <li>{@code sekisho.fuzz.tries}: tries per {@link #run} call, for every call (overrides each
 *       test's default; the short default runs in every build, e.g. {@code 20000} for a long run);
 *   <li>{@code sekisho.fuzz.seed}: the base seed (default: a fresh random seed, printed at start).
 * </ul>
 *
 * <p>Try {@code i} uses seed {@code base + i * 0x9E3779B97F4A7C15}, so try 0 uses the base seed
 * itself: {@code -Dsekisho.fuzz.seed=S -Dsekisho.fuzz.tries=1} re-runs exactly the try of seed S.
 */
public final class Fuzz {

    public static final String TRIES = "sekisho.fuzz.tries";
    public static final String SEED = "sekisho.fuzz.seed";
    private static final long STEP = 0x9E3779B97F4A7C15L;

    private Fuzz() {}

    /** Runs {@code oneTry} with a fresh seeded {@link Random} per try; the first failure ends the run. */
    public static void run(String name, int defaultTries, Consumer<Random> oneTry) {
        run(name, defaultTries, r -> r, oneTry);
    }

    /**
     * Generates an input per try and checks it; a failure shows the input ({@link #show}) as well
     * as its seed.
     */
    public static <T> void run(String name, int defaultTries, Function<Random, T> generate, Consumer<T> check) {
        int tries = tries(defaultTries);
        String fixed = System.getProperty(SEED);
        long base = fixed == null || fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim());
        System.out.printf("fuzz %s: %d tries, seed %d%n", name, tries, base);
        long start = System.nanoTime();
        for (int i = 0; i < tries; i++) {
            long seed = base + i * STEP;
            T input = null;
            try {
                input = generate.apply(new Random(seed));
                check.accept(input);
            } catch (RuntimeException | AssertionError | StackOverflowError e) {
                throw new AssertionError(
                        String.format(
                                "fuzz %s failed at try %d of %d, seed %d%n  input: %s%n  cause: %s%n"
                                        + "  re-run exactly this case: -D%s=%d -D%s=1",
                                name, i + 1, tries, seed, show(input), e, SEED, seed, TRIES),
                        e);
            }
        }
        System.out.printf("fuzz %s: %d tries passed in %d ms%n", name, tries, (System.nanoTime() - start) / 1_000_000);
    }

    /** {@code sekisho.fuzz.tries} when set, else {@code defaultTries}. */
    public static int tries(int defaultTries) {
        String s = System.getProperty(TRIES);
        return s == null || s.isBlank() ? defaultTries : Integer.parseInt(s.trim());
    }

    // ------------------------------------------------------------------ generators

    /** A number in [min, max], both included. */
    public static int between(Random r, int min, int max) {
        return min + (int) Math.floorMod(r.nextLong(), (long) max - min + 1);
    }

    /** A length in [0, max]: 0 and max more often than uniform (edge cases), else uniform. */
    public static int length(Random r, int max) {
        int k = r.nextInt(16);
        return k == 0 ? 0 : k == 1 ? max : between(r, 0, max);
    }

    /** Random bytes, at most {@code maxLength}. */
    public static byte[] bytes(Random r, int maxLength) {
        byte[] b = new byte[length(r, maxLength)];
        r.nextBytes(b);
        return b;
    }

    public static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    @SafeVarargs
    public static <T> T pick(Random r, T... from) {
        return from[r.nextInt(from.length)];
    }

    /**
     * Hostile text: C0/C1 controls, NUL, DEL, line and paragraph separators, bidi controls, BOM,
     * backslash, quotes, CJK, non-BMP (surrogate pairs) and lone surrogates.
     */
    public static final String HOSTILE = "\0\t\n\r\u0007\u001b\u007f\u0085\u0090\u009b\u009f\\\"'{}[]:,"
            + "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u2028\u2029"
            + "\ufeff\ufffd\u00a0\u3000aZ09 =<>&%\u5c71\u7530\u672d\u5e4c\uff21\ud83d\ude00\ud800\udfff";

    /**
     * A string of at most {@code maxChars} chars, each run drawn from {@code alphabet} (as chars, so
     * a surrogate pair may be split: lone surrogates), printable ASCII, any char, or any code point.
     */
    public static String string(Random r, int maxChars, String alphabet) {
        int n = length(r, maxChars);
        StringBuilder s = new StringBuilder(n + 1);
        while (s.length() < n) {
            switch (r.nextInt(4)) {
                case 0 -> s.append(alphabet.charAt(r.nextInt(alphabet.length())));
                case 1 -> s.append((char) between(r, 0x20, 0x7e));
                case 2 -> s.append((char) r.nextInt(0x10000));
                default -> s.appendCodePoint(r.nextInt(Character.MAX_CODE_POINT + 1));
            }
        }
        return s.substring(0, n); // may split a last pair: a lone high surrogate at the end
    }

    /** {@link #string(Random, int, String)} with the {@link #HOSTILE} alphabet. */
    public static String string(Random r, int maxChars) {
        return string(r, maxChars, HOSTILE);
    }

    // ------------------------------------------------------------------ byte array mutations

    /** One of the mutations below, at a random place. */
    public static byte[] mutate(Random r, byte[] b) {
        return switch (r.nextInt(5)) {
            case 0 -> flipBit(r, b);
            case 1 -> truncate(r, b);
            case 2 -> insertRange(r, b, 64);
            case 3 -> removeRange(r, b, 64);
            default -> inflateLengthByte(r, b);
        };
    }

    public static byte[] flipBit(Random r, byte[] b) {
        byte[] c = b.clone();
        if (c.length > 0) {
            c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return c;
    }

    /** The first [0, length) bytes. */
    public static byte[] truncate(Random r, byte[] b) {
        return Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
    }

    /** Up to {@code max} random bytes inserted anywhere. */
    public static byte[] insertRange(Random r, byte[] b, int max) {
        return splice(b, r.nextInt(b.length + 1), 0, bytes(r, max));
    }

    /** Up to {@code max} bytes removed from anywhere. */
    public static byte[] removeRange(Random r, byte[] b, int max) {
        int at = r.nextInt(b.length + 1);
        return splice(b, at, between(r, 0, Math.min(max, b.length - at)), new byte[0]);
    }

    /** A byte (a length, in a TLV) made larger: 0x7f, 0x80 (BER indefinite), 0xff, or +1..+16. */
    public static byte[] inflateLengthByte(Random r, byte[] b) {
        byte[] c = b.clone();
        if (c.length > 0) {
            int at = r.nextInt(c.length);
            c[at] = (byte) pick(r, 0x7f, 0x80, 0x84, 0xff, (c[at] & 0xff) + 1 + r.nextInt(16))
                    .intValue();
        }
        return c;
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code with}. */
    public static byte[] splice(byte[] b, int at, int remove, byte[] with) {
        byte[] c = new byte[b.length - remove + with.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(with, 0, c, at, with.length);
        System.arraycopy(b, at + remove, c, at + with.length, b.length - at - remove);
        return c;
    }

    /** An input for a failure message: bytes as length and hex head, text escaped; both cut short. */
    public static String show(Object input) {
        if (input instanceof byte[] b) {
            String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 64));
            return b.length + " bytes: " + hex + (b.length > 64 ? "..." : "");
        }
        if (input instanceof Random) {
            return "(made by the check from its seed)";
        }
        String s = String.valueOf(input);
        StringBuilder out = new StringBuilder();
        s.chars()
                .limit(300)
                .forEach(c ->
                        out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return s.length() + " chars: \"" + out + (s.length() > 300 ? "...\"" : "\"");
    }
}
