package jp.sekisho.gateway.approval;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the secretariat can decide about an approval, with the words the council uses for each. */
public enum Decision {
    APPROVE("承認", "approve"),
    APPROVE_WITH_CONDITIONS("条件付き承認", "approve with conditions"),
    REJECT("不承認", "reject"),
    SUSPEND("停止", "suspend"),
    REINSTATE("再開", "reinstate"),
    REVOKE("取消し", "revoke"),
    /** A PENDING record entered by mistake is withdrawn (取下げ): terminal, the reason kept in the history. */
    WITHDRAW("取下げ", "withdraw");

    private final String japanese;
    private final String english;

    Decision(String japanese, String english) {
        this.japanese = japanese;
        this.english = english;
    }

    /** 条件付き承認 */
    public String japanese() {
        return japanese;
    }

    /** approve with conditions */
    public String english() {
        return english;
    }

    /**
     * Decisions that let data flow need a second secretariat member's confirmation (two-person
     * rule); decisions that stop data (or, like withdraw, never let any flow) take effect at once,
     * since stopping must never wait.
     */
    public boolean opensFlow() {
        return this == APPROVE || this == APPROVE_WITH_CONDITIONS || this == REINSTATE;
    }

    /** The command-line and API spelling: approve-with-conditions. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Reads the command-line spelling (case and '_' for '-' do not count).
     *
     * @throws IllegalArgumentException for anything else; {@link #unknown} says what is accepted
     */
    public static Decision fromCli(String s) {
        return parse(s).orElseThrow(() -> new IllegalArgumentException(unknown(s)));
    }

    /** The decision {@code s} names in its command-line spelling, if any. */
    public static Optional<Decision> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String key = s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(d -> d.name().equals(key)).findFirst();
    }

    /** "承認 approve, 条件付き承認 approve-with-conditions, …": every choice, in both languages. */
    public static String choices() {
        return Arrays.stream(values()).map(d -> d.japanese + " " + d.cliName()).collect(Collectors.joining(", "));
    }

    /** The bilingual refusal of an unknown decision, naming every choice (the value is not echoed back raw). */
    public static String unknown(String given) {
        return "決定は次のいずれかです / the decision must be one of: " + choices()
                + (given == null || given.isBlank() ? "" : " (given: '" + quote(given) + "')");
    }

    /** A given value cut to 40 characters, each control character shown as its code point (U+000A): it goes into a message. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(40).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("U+%04X", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return s.codePointCount(0, s.length()) > 40 ? b + "…" : b.toString();
    }
}
