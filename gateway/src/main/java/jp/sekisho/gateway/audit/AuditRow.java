package jp.sekisho.gateway.audit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;

/**
 * One event as a row of the console's audit table (and of the live view's JSON). Every text that
 * came from outside (subject, route, reason, ...) is {@link Printable}: a control character or a bidi
 * override shows as an escape instead of reshaping the row; the template escapes it for HTML.
 *
 * @param time   JST, to the second
 * @param source the client address and port ("" when the event has none)
 * @param href   this event's detail page
 */
public record AuditRow(
        String node,
        long seq,
        String time,
        String type,
        String outcome,
        String reason,
        String subject,
        String source,
        String route,
        String approval,
        String transfer,
        boolean deny,
        String href) {

    public static AuditRow of(RecordedEvent r) {
        AuditEvent e = r.event();
        String source = e.sourceIp() == null
                ? ""
                : Printable.of(e.sourceIp()) + (e.sourcePort() == null ? "" : ":" + e.sourcePort());
        return new AuditRow(
                Printable.of(r.nodeId()),
                r.seq(),
                JapaneseDates.time(r.time()),
                e.type().name(),
                e.outcome().name(),
                text(e.reason()),
                e.principal() == null ? "" : text(e.principal().subject()),
                source,
                text(e.routeId()),
                text(e.approvalRef()),
                text(e.transferId()),
                e.outcome() == Outcome.DENY,
                href(r.nodeId(), r.seq()));
    }

    static String href(String node, long seq) {
        return "/console/audit/event?node=" + URLEncoder.encode(node, StandardCharsets.UTF_8) + "&seq=" + seq;
    }

    private static String text(String s) {
        return s == null ? "" : Printable.of(s);
    }
}
