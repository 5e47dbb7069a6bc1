package jp.sekisho.audit.cli;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.Cursor;
import jp.sekisho.audit.read.QueryParameters;
import jp.sekisho.audit.read.TimeInput;
import picocli.CommandLine.Option;

/** The filters shared by {@code export}, {@code search} and {@code tail}. */
final class QueryOptions {

    @Option(
            names = "--since",
            paramLabel = "AGE",
            description = "events of the last AGE: 30m, 1h, 1d, 7d (m minutes, h hours, d days) / 直近の期間")
    String since;

    @Option(
            names = "--from",
            paramLabel = "TIME",
            description = "events at or after TIME: 2026-12-04 09:00 (Japan time), 2026-12-04 (midnight JST),"
                    + " 令和8年12月4日, or an instant such as 2026-12-04T00:00:00Z / 開始日時")
    String from;

    @Option(
            names = "--to",
            paramLabel = "TIME",
            description = "events before TIME (same forms as --from) / 終了日時 (含まない)")
    String to;

    @Option(names = "--type", split = ",", description = "event type(s), e.g. REQUEST_DENIED / 種別")
    List<EventType> types;

    @Option(names = "--outcome", description = "ALLOW, DENY or ERROR / 結果")
    Outcome outcome;

    @Option(names = "--reason", description = "reason code, e.g. IP_NOT_ALLOWED / 理由コード")
    String reason;

    @Option(
            names = "--principal",
            description = "certificate subject however written (CN=Tanaka, O=Kurume City; /O=Kurume City/CN=Tanaka;"
                    + " any case, either order), serial (hex, colons optional) or SHA-256 fingerprint / 証明書の主体")
    String principal;

    @Option(names = "--source", description = "source IP address or CIDR block / 送信元")
    String source;

    @Option(names = "--route", description = "route id / 経路")
    String route;

    @Option(names = "--approval", paramLabel = "REF", description = "approval reference, e.g. 2総政第158号 / 承認番号")
    String approval;

    @Option(names = "--transfer", description = "transfer id / 転送ID")
    String transfer;

    @Option(names = "--node", description = "node id (chain) / ノード")
    String node;

    @Option(
            names = "--before",
            paramLabel = "CURSOR",
            description = "only events older than CURSOR: the next page, as the previous one printed it")
    String before;

    @Option(names = "--after-node", description = "chain order paging: the node of --after-seq")
    String afterNode;

    @Option(names = "--after-seq", description = "chain order paging: only events after this sequence number")
    long afterSeq;

    /** Reads the options; a relative --since is resolved against {@code clock} once, here. */
    AuditQuery toQuery(Clock clock) {
        Instant f = TimeInput.instant("--from", from);
        Instant s = TimeInput.since("--since", since, clock);
        if (s != null && f != null) {
            throw new IllegalArgumentException(
                    "--since/--from: どちらか一方を指定してください / give either --since or --from, not both");
        }
        AuditQuery q = AuditQuery.all()
                .between(s != null ? s : f, TimeInput.instant("--to", to))
                .types(types == null ? null : EnumSet.copyOf(types))
                .outcome(outcome)
                .reason(reason)
                .principal(principal)
                .source(source)
                .route(route)
                .approval(approval)
                .transfer(transfer)
                .node(node);
        if (before != null) {
            q = q.before(Cursor.parse("--before", before));
        }
        return afterSeq > 0 || afterNode != null ? q.after(afterNode, afterSeq) : q;
    }

    AuditQuery toQuery() {
        return toQuery(Clock.systemUTC());
    }

    /** The query as the gateway's audit API reads it ({@link QueryParameters}): times already resolved. */
    static String toParams(AuditQuery q) {
        return QueryParameters.queryString(q);
    }

    /** The same filters as query parameters of the gateway's audit API. */
    String toParams() {
        return toParams(toQuery());
    }
}
