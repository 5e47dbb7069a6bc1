package jp.sekisho.gateway.input;

import java.util.Optional;

/**
 * Bounds of the free-text fields people enter through the admin API (a decision's reason, an
 * approval's title or conditions): long enough for any real text, short enough for one audit event,
 * and free of controls (line breaks and tabs aside) and bidi marks.
 */
public final class Fields {

    /** A reason, a note, a title: one paragraph or a few. */
    public static final int TEXT = 2000;
    /** A short name: a contractor, a legal basis, a meeting reference. */
    public static final int NAME = 256;

    private Fields() {}

    /** Why the field's value is not acceptable, naming the field, or empty; null is left to the caller. */
    public static Optional<String> problem(String field, String value, int maxLength) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.length() > maxLength) {
            return Optional.of(field + " is longer than " + maxLength + " characters");
        }
        int bad = Text.firstForbidden(value, "\n\r\t");
        if (bad >= 0) {
            return Optional.of(field + " holds " + Text.describe(bad) + " (a control character or bidi mark)");
        }
        return Optional.empty();
    }
}
