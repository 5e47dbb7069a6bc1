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
            description = "直近 AGE の間の記録（m 分、h 時間、d 日） / events of the last AGE: 30m, 1h, 1d, 7d (m minutes, h"
                    + " hours, d days)")
    String since;

    @Option(
            names = "--from",
            paramLabel = "TIME",
            description = "開始日時（この時刻以降、日本時間） / events at or after TIME: 2026-12-04 09:00 (Japan"
                    + " time), 2026-12-04 (midnight JST), 令和8年12月4日, or an instant such as 2026-12-04T00:00:00Z")
    String from;

    @Option(
            names = "--to",
            paramLabel = "TIME",
            description = "終了日時（この時刻より前、含まない） / events before TIME (same forms as --from)")
    String to;

    @Option(names = "--type", split = ",", description = "記録の種別（カンマ区切りで複数可） / event type(s), e.g. REQUEST_DENIED")
    List<EventType> types;

    @Option(names = "--outcome", description = "結果 / ALLOW, DENY or ERROR")
    Outcome outcome;

    @Option(names = "--reason", description = "理由コード / reason code, e.g. IP_NOT_ALLOWED")
    String reason;

    @Option(
            names = "--principal",
            description = "証明書の主体（書き方・大文字小文字・順序は問いません）、シリアル番号または SHA-256"
                    + " フィンガープリント / certificate subject however written (CN=Tanaka, O=Kurume City; /O=Kurume"
                    + " City/CN=Tanaka; any case, either order), serial (hex, colons optional) or SHA-256 fingerprint")
    String principal;

    @Option(names = "--source", description = "送信元の IP アドレスまたは CIDR / source IP address or CIDR block")
    String source;

    @Option(names = "--route", description = "経路 ID / route id")
    String route;

    @Option(names = "--approval", paramLabel = "REF", description = "承認番号 / approval reference, e.g. 2総政第158号")
    String approval;

    @Option(names = "--transfer", description = "転送 ID / transfer id")
    String transfer;

    @Option(names = "--node", description = "ノード ID（チェーン） / node id (chain)")
    String node;

    @Option(
            names = "--before",
            paramLabel = "CURSOR",
            description = "次のページ: CURSOR より古い記録だけ（前のページが示したもの）"
                    + " / only events older than CURSOR: the next page, as the previous one printed it")
    String before;

    @Option(
            names = "--after-node",
            description = "チェーン順のページ送り: --after-seq のノード / chain order paging: the node of --after-seq")
    String afterNode;

    @Option(
            names = "--after-seq",
            description = "チェーン順のページ送り: この通し番号より後の記録だけ / chain order paging: only events after this sequence number")
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
