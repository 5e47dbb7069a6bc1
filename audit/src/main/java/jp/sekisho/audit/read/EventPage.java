package jp.sekisho.audit.read;

import java.util.List;
import jp.sekisho.audit.RecordedEvent;

/**
 * One page of a search, never cut silently: {@code more} is true exactly when further events match
 * (the reader fetched one more than the limit to know), and {@code next} is then where the next page
 * starts ({@link AuditQuery#before(Cursor)} for newest first, {@link AuditQuery#after(String, long)}
 * with its node and sequence for chain order); null when there is no more.
 */
public record EventPage(List<RecordedEvent> events, boolean more, Cursor next) {

    public EventPage {
        events = List.copyOf(events);
        if (more != (next != null)) {
            throw new IllegalArgumentException("a page has a next cursor exactly when there is more");
        }
    }
}
