package jp.sekisho.gateway.audit;

import java.util.List;

/**
 * The live view's page: the events already there, and what live.js needs to go on (data attributes,
 * no inline script).
 *
 * @param session     the read session's id, sent back by every poll
 * @param after       where the first poll starts (a cursor token; "" when the log shows nothing yet)
 * @param pollSeconds how often live.js asks (2 to 5 seconds)
 * @param keep        rows the table keeps; older ones leave it
 * @param listHref    the list page with the same filter
 */
public record AuditLiveView(
        AuditFilter filter,
        List<AuditRow> rows,
        String session,
        String after,
        int pollSeconds,
        int keep,
        String listHref) {}
