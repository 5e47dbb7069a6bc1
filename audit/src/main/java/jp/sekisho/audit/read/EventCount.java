package jp.sekisho.audit.read;

/**
 * How many events match, counted up to a cap so that a count over a huge log stays cheap:
 * {@code capped} means "at least {@code value}" (the console shows "10,000件以上 / 10,000+ events").
 */
public record EventCount(long value, boolean capped) {

    /** The number as people read it: "1,234", or "10,000+" when capped. */
    public String display() {
        return String.format(java.util.Locale.ROOT, "%,d", value) + (capped ? "+" : "");
    }

    /** "1,234件 / 1,234 events", or "10,000件以上 / 10,000+ events". */
    public String bilingual() {
        String n = String.format(java.util.Locale.ROOT, "%,d", value);
        return capped ? n + "件以上 / " + n + "+ events" : n + "件 / " + n + (value == 1 ? " event" : " events");
    }
}
