package jp.sekisho.audit.read;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.json.Json;

/** The JSON Lines form of events and checkpoints, both ways. Field names are part of the export format. */
public final class EventJson {

    public static final String FORMAT = "sekisho-audit-export-v1";

    private EventJson() {}

    public static String header(String exportedAt, String keyId, String query) {
        StringBuilder b = new StringBuilder("{\"record\":\"header\",\"format\":");
        Json.quote(b, FORMAT).append(",\"exported_at\":");
        Json.quote(b, exportedAt).append(",\"key_id\":");
        Json.quote(b, keyId).append(",\"query\":");
        Json.quote(b, query);
        // this export closes with an "end" (or "error") record: without it, the stream was cut
        return b.append(",\"end_record\":true}").toString();
    }

    /** The last line of a complete export: how many events and checkpoints it holds. */
    public static String end(long events, long checkpoints) {
        return "{\"record\":\"end\",\"events\":" + events + ",\"checkpoints\":" + checkpoints + "}";
    }

    /** The last line of an export the server could not finish: a failure said in the stream, not by silence. */
    public static String error(String reason, String message, long events) {
        StringBuilder b = new StringBuilder("{\"record\":\"error\",\"reason\":");
        Json.quote(b, reason).append(",\"message\":");
        Json.quote(b, message).append(",\"events\":").append(events);
        return b.append('}').toString();
    }

    public static void event(StringBuilder b, RecordedEvent r) {
        AuditEvent e = r.event();
        AuditPrincipal p = e.principal();
        b.append("{\"record\":\"event\",\"node\":");
        Json.quote(b, r.nodeId()).append(",\"seq\":").append(r.seq()).append(",\"time\":");
        Json.quote(b, r.time().toString()).append(",\"type\":");
        Json.quote(b, e.type().name()).append(",\"outcome\":");
        Json.quote(b, e.outcome().name()).append(",\"reason\":");
        Json.quote(b, e.reason()).append(",\"subject\":");
        Json.quote(b, p == null ? null : p.subject()).append(",\"serial\":");
        Json.quote(b, p == null ? null : p.serial()).append(",\"cert_sha256\":");
        Json.quote(b, p == null ? null : p.sha256()).append(",\"source_ip\":");
        Json.quote(b, e.sourceIp())
                .append(",\"source_port\":")
                .append(e.sourcePort())
                .append(",\"listener_port\":")
                .append(e.listenerPort())
                .append(",\"route\":");
        Json.quote(b, e.routeId()).append(",\"approval\":");
        Json.quote(b, e.approvalRef()).append(",\"transfer\":");
        Json.quote(b, e.transferId()).append(",\"bytes\":").append(e.bytes()).append(",\"payload_sha256\":");
        Json.quote(b, e.payloadSha256()).append(",\"request_id\":");
        Json.quote(b, e.requestId()).append(",\"detail\":");
        Json.quote(b, e.detailJson()).append(",\"prev_hash\":");
        Json.quote(b, r.prevHash()).append(",\"hash\":");
        Json.quote(b, r.hash()).append('}');
    }

    public static void checkpoint(StringBuilder b, Checkpoint c) {
        b.append("{\"record\":\"checkpoint\",\"node\":");
        Json.quote(b, c.nodeId()).append(",\"seq\":").append(c.seq()).append(",\"time\":");
        Json.quote(b, c.time().toString()).append(",\"hash\":");
        Json.quote(b, c.hash()).append(",\"key_id\":");
        Json.quote(b, c.keyId()).append(",\"algorithm\":");
        Json.quote(b, c.algorithm()).append(",\"signature\":");
        Json.quote(b, c.signature()).append('}');
    }

    public static RecordedEvent toEvent(Map<String, Object> m) {
        String subject = str(m, "subject");
        String serial = str(m, "serial");
        String certSha = str(m, "cert_sha256");
        AuditPrincipal p = subject == null && serial == null && certSha == null
                ? null
                : new AuditPrincipal(subject, serial, certSha);
        Long sp = lng(m, "source_port");
        Long lp = lng(m, "listener_port");
        AuditEvent e = new AuditEvent(
                EventType.valueOf(req(m, "type")),
                Outcome.valueOf(req(m, "outcome")),
                str(m, "reason"),
                p,
                str(m, "source_ip"),
                sp == null ? null : Math.toIntExact(sp),
                lp == null ? null : Math.toIntExact(lp),
                str(m, "route"),
                str(m, "approval"),
                str(m, "transfer"),
                lng(m, "bytes"),
                str(m, "payload_sha256"),
                str(m, "request_id"),
                str(m, "detail"));
        return new RecordedEvent(
                reqLong(m, "seq"),
                Instant.parse(req(m, "time")),
                req(m, "node"),
                e,
                req(m, "prev_hash"),
                req(m, "hash"));
    }

    public static Checkpoint toCheckpoint(Map<String, Object> m) {
        return new Checkpoint(
                req(m, "node"),
                reqLong(m, "seq"),
                Instant.parse(req(m, "time")),
                req(m, "hash"),
                req(m, "key_id"),
                req(m, "algorithm"),
                req(m, "signature"));
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v != null && !(v instanceof String)) {
            throw new IllegalArgumentException(k + " must be a string");
        }
        return (String) v;
    }

    private static String req(Map<String, Object> m, String k) {
        String v = str(m, k);
        if (v == null) {
            throw new IllegalArgumentException(k + " is missing");
        }
        return v;
    }

    private static Long lng(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) {
            return null;
        }
        if (!(v instanceof BigDecimal d)) {
            throw new IllegalArgumentException(k + " must be a number");
        }
        return d.longValueExact();
    }

    private static long reqLong(Map<String, Object> m, String k) {
        Long v = lng(m, k);
        if (v == null) {
            throw new IllegalArgumentException(k + " is missing");
        }
        return v;
    }
}
