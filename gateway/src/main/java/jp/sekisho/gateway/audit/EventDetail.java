package jp.sekisho.gateway.audit;

import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.cli.Printable;

/**
 * Every field of one event for its detail page, in the store's order, each labelled by a message
 * key ({@code audit.field.NAME}); empty fields are shown as empty rather than left out, so the
 * reader sees that the event has no route, not that the page forgot it.
 *
 * @param detail the detail JSON, indented ({@link PrettyJson}); "" when the event has none
 */
public record EventDetail(AuditRow row, List<Field> fields, String detail) {

    /** One labelled value; {@code mono} for hashes and ids that are read character by character. */
    public record Field(String key, String value, boolean mono) {}

    public static EventDetail of(RecordedEvent r) {
        AuditEvent e = r.event();
        AuditPrincipal p = e.principal();
        List<Field> f = new ArrayList<>();
        add(f, "node", r.nodeId(), true);
        add(f, "seq", Long.toString(r.seq()), true);
        add(f, "time", jp.sekisho.cli.JapaneseDates.timeJst(r.time()), false);
        add(f, "timeUtc", r.time().toString(), true);
        add(f, "type", e.type().name(), false);
        add(f, "outcome", e.outcome().name(), false);
        add(f, "reason", e.reason(), true);
        add(f, "subject", p == null ? null : p.subject(), false);
        add(f, "serial", p == null ? null : p.serial(), true);
        add(f, "sha256", p == null ? null : p.sha256(), true);
        add(f, "sourceIp", e.sourceIp(), true);
        add(f, "sourcePort", e.sourcePort() == null ? null : e.sourcePort().toString(), true);
        add(
                f,
                "listenerPort",
                e.listenerPort() == null ? null : e.listenerPort().toString(),
                true);
        add(f, "route", e.routeId(), true);
        add(f, "approval", e.approvalRef(), false);
        add(f, "transfer", e.transferId(), true);
        add(f, "bytes", e.bytes() == null ? null : String.format(java.util.Locale.ROOT, "%,d", e.bytes()), false);
        add(f, "payloadSha256", e.payloadSha256(), true);
        add(f, "requestId", e.requestId(), true);
        add(f, "prevHash", r.prevHash(), true);
        add(f, "hash", r.hash(), true);
        return new EventDetail(AuditRow.of(r), List.copyOf(f), PrettyJson.of(e.detailJson()));
    }

    private static void add(List<Field> f, String name, String value, boolean mono) {
        f.add(new Field("audit.field." + name, value == null ? "" : Printable.of(value), mono));
    }
}
