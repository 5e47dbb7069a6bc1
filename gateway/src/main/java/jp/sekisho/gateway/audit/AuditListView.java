package jp.sekisho.gateway.audit;

import io.micronaut.core.annotation.Nullable;
import java.util.Arrays;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.admission.Reason;

/**
 * What the audit list page shows: the filter as filled in, one page of events newest first, how many
 * match, and the links that go on from here.
 *
 * @param total     "N件 / N events" or "10,000件以上": shown in {@code #total}; null when the filter failed
 * @param moreHref  the next page (same filter, the cursor), null when this page holds the last match
 * @param csvHref   the CSV export of the same filter
 * @param jsonlHref the JSON Lines export of the same filter
 * @param liveHref  the live view of the same filter
 * @param error     the reason a filter was refused (QUERY_INVALID), null when it was read
 */
public record AuditListView(
        AuditFilter filter,
        List<AuditRow> rows,
        @Nullable String total,
        @Nullable String moreHref,
        String csvHref,
        String jsonlHref,
        String liveHref,
        @Nullable Reason error,
        @Nullable String errorMessage) {

    /** This view with its {@code #total} text (worded in the page's language). */
    public AuditListView withTotal(String text) {
        return new AuditListView(filter, rows, text, moreHref, csvHref, jsonlHref, liveHref, error, errorMessage);
    }

    /** The relative periods offered for {@code since}. */
    public static final List<String> SINCE = List.of("1h", "1d", "7d", "30d");

    public List<String> types() {
        return Arrays.stream(EventType.values()).map(Enum::name).toList();
    }

    public List<String> outcomes() {
        return Arrays.stream(Outcome.values()).map(Enum::name).toList();
    }

    public List<String> since() {
        return SINCE;
    }
}
