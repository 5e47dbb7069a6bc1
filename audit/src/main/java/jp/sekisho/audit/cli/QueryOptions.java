package jp.sekisho.audit.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.read.AuditQuery;
import picocli.CommandLine.Option;

/** The filters shared by {@code export} and {@code search}. */
final class QueryOptions {

    @Option(names = "--from", description = "events at or after this time (ISO-8601 instant or date, UTC)")
    String from;

    @Option(names = "--to", description = "events before this time (ISO-8601 instant or date, UTC)")
    String to;

    @Option(names = "--type", split = ",", description = "event type(s), e.g. REQUEST_DENIED")
    List<EventType> types;

    @Option(names = "--outcome", description = "ALLOW, DENY or ERROR")
    Outcome outcome;

    @Option(names = "--reason", description = "reason code, e.g. CIDR_MISMATCH")
    String reason;

    @Option(names = "--principal", description = "certificate subject, serial or SHA-256 fingerprint")
    String principal;

    @Option(names = "--source", description = "source IP address or CIDR block")
    String source;

    @Option(names = "--route", description = "route id")
    String route;

    @Option(names = "--transfer", description = "transfer id")
    String transfer;

    @Option(names = "--node", description = "node id (chain)")
    String node;

    @Option(names = "--after-seq", description = "only events after this sequence number (paging)")
    long afterSeq;

    AuditQuery toQuery() {
        AuditQuery q = AuditQuery.all()
                .between(time(from, "--from"), time(to, "--to"))
                .types(types == null ? null : EnumSet.copyOf(types))
                .outcome(outcome)
                .reason(reason)
                .principal(principal)
                .source(source)
                .route(route)
                .transfer(transfer)
                .node(node);
        return afterSeq > 0 ? q.after(null, afterSeq) : q;
    }

    /** The same filters as query parameters of the gateway's audit API. */
    String toParams() {
        StringBuilder b = new StringBuilder();
        param(b, "from", from);
        param(b, "to", to);
        param(
                b,
                "type",
                types == null
                        ? null
                        : String.join(",", types.stream().map(Enum::name).toList()));
        param(b, "outcome", outcome == null ? null : outcome.name());
        param(b, "reason", reason);
        param(b, "principal", principal);
        param(b, "source", source);
        param(b, "route", route);
        param(b, "transfer", transfer);
        param(b, "node", node);
        param(b, "afterSeq", afterSeq > 0 ? Long.toString(afterSeq) : null);
        return b.toString();
    }

    private static void param(StringBuilder b, String k, String v) {
        if (v == null || v.isBlank()) {
            return;
        }
        b.append(b.length() == 0 ? "" : "&")
                .append(k)
                .append('=')
                .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Instant time(String v, String option) {
        if (v == null) {
            return null;
        }
        try {
            return v.length() == 10
                    ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + ": not an ISO-8601 time or date: " + v);
        }
    }
}
