package jp.sekisho.gateway.report;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import jp.sekisho.cli.JapaneseDates;

/**
 * How a report shows a value, whatever the renderer: no raw control, format or bidi character ever
 * reaches a page, a PDF or a Markdown file (each is written as a backslash escape (x and two hex digits, or u and four), visibly; a
 * newline is kept only where a value may span lines), dates with the era in Asia/Tokyo. The renderer's own
 * escaping (HTML, Markdown) comes on top of this.
 */
public final class ReportText {

    /** The longest text one cell shows; longer values are cut with their length said (every field is bounded). */
    static final int MAX_CHARS = 4_000;

    private ReportText() {}

    /** {@code s} with every control character (newlines too) shown visibly; "" for null. */
    public static String clean(String s) {
        return clean(s, false);
    }

    /** As {@link #clean(String)}, keeping newlines (free text such as conditions and reasons). */
    public static String lines(String s) {
        return clean(s, true);
    }

    private static String clean(String s, boolean keepNewlines) {
        if (s == null) {
            return "";
        }
        String in = s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
        StringBuilder b = new StringBuilder(in.length());
        for (int i = 0; i < in.length(); i++) {
            char c = in.charAt(i);
            if (c == '\n' && keepNewlines) {
                b.append('\n');
            } else if (c == '\r' && keepNewlines) {
                // CRLF reads as one line break
                if (i + 1 >= in.length() || in.charAt(i + 1) != '\n') {
                    b.append('\n');
                }
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                b.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
            } else if (hidden(c) || (Character.isSurrogate(c) && !pair(in, i))) {
                b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else if (Character.isHighSurrogate(c)) {
                b.append(c).append(in.charAt(++i));
            } else {
                b.append(c);
            }
        }
        if (s.length() > MAX_CHARS) {
            b.append("…[").append(s.length()).append(" chars]");
        }
        return b.toString();
    }

    /** Format characters that change how text reads without showing (bidi marks, zero-width, BOM, non-characters). */
    private static boolean hidden(char c) {
        return Character.getType(c) == Character.FORMAT
                || c == '\uFFFE'
                || c == '\uFFFF'
                || c == '\u2028'
                || c == '\u2029';
    }

    private static boolean pair(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** 令和8年4月1日 (2026-04-01); "" for null. */
    public static String date(LocalDate d) {
        return JapaneseDates.eraAndWestern(d);
    }

    /** 令和8年12月4日 21:20:19 JST: the era date and the Tokyo time. */
    public static String time(Instant t) {
        if (t == null) {
            return "";
        }
        LocalDate d = LocalDate.ofInstant(t, JapaneseDates.TOKYO);
        return JapaneseDates.era(d) + " " + JapaneseDates.time(t).substring(11) + " JST (" + d + ")";
    }

    /** 1,234,567 */
    public static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
