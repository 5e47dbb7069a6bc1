package jp.sekisho.audit.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.Cursor;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.read.EventPage;
import jp.sekisho.audit.read.QueryParameters;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.cli.TextTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code audit search}: matching events, newest first, as a table with Japan times, or JSON Lines.
 * Never cut silently: when more events match than {@code --limit}, it says so and prints the exact
 * command that shows the next page.
 */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description = {
            "監査ログを新しい順に検索します（時刻は日本時間、最大 --limit 件）。"
                    + " Search audit events: newest first, times in Japan time (JST), at most --limit events.",
            "続きがあるときはそう示し、次のページを表示するコマンド（--before CURSOR）を示します。"
                    + " When more events match, the command says so and prints the command for the next page (--before"
                    + " CURSOR)."
        },
        footer = {
            "",
            "例 / Examples:",
            "  sekisho audit search --config gateway.yml --since 1h --outcome DENY",
            "  sekisho audit search --gateway https://127.0.0.1:9443 --identity auditor.p12 \\",
            "      --principal '/O=Kurume City/CN=Tanaka' --from '2026-12-04 09:00' --to '2026-12-04 18:00'",
            "  sekisho audit search --config gateway.yml --approval 2総政第158号 --limit 20"
        })
final class SearchCommand extends StoreCommand {

    static final int DEFAULT_LIMIT = 100;

    @Option(
            names = "--config",
            paramLabel = "GATEWAY.yml",
            description = "この設定ファイルのゲートウェイが使うストアを検索します / search the store this gateway configuration uses")
    Path config;

    @Mixin
    GatewayAccess remote = new GatewayAccess();

    @Option(
            names = "--limit",
            defaultValue = "" + DEFAULT_LIMIT,
            description = "表示する最大件数、1〜10000（既定 " + DEFAULT_LIMIT + "） / most events to print, 1 to 10000 (default "
                    + DEFAULT_LIMIT + ")")
    int limit;

    @Option(
            names = "--order",
            defaultValue = "newest",
            description = "並び順: newest（新しい順、既定）または chain（ノードと通し番号の順）"
                    + " / newest (newest first, the default) or chain (by node and sequence)")
    String order;

    @Option(
            names = "--json",
            description = "表の代わりに JSON Lines で表示します（案内は標準エラーへ）"
                    + " / print JSON Lines instead of a table (the notice goes to stderr)")
    boolean json;

    @Mixin
    QueryOptions filters = new QueryOptions();

    @Override
    int execute() throws java.io.IOException, InputException {
        if (limit < 1 || limit > 10_000) {
            throw new InputException("--limit: 1〜10000の整数を指定してください / must be from 1 to 10000");
        }
        if ((config == null) == !remote.given()) {
            throw new InputException("--config GATEWAY.yml か --gateway URL --identity FILE のどちらかを指定してください。"
                    + " give either --config GATEWAY.yml or --gateway URL --identity FILE");
        }
        AuditQuery query = filters.toQuery(Clock.systemUTC()).limit(limit).order(order());
        EventPage page = remote.given() ? remotePage(query) : localPage(query);
        for (RecordedEvent r : page.events()) {
            if (json) {
                StringBuilder b = new StringBuilder();
                EventJson.event(b, r);
                out().println(b);
            }
        }
        if (!json) {
            out().print(table(page.events()));
        }
        String notice = notice(query, page);
        if (json) {
            if (page.more()) {
                err().println(notice);
            }
        } else {
            out().println(notice);
        }
        out().flush();
        err().flush();
        return AuditCommand.OK;
    }

    private AuditQuery.Order order() throws InputException {
        return switch (order.trim().toLowerCase(java.util.Locale.ROOT)) {
            case QueryParameters.NEWEST -> AuditQuery.Order.NEWEST_FIRST;
            case QueryParameters.CHAIN -> AuditQuery.Order.CHAIN;
            default -> throw new InputException("--order: newest か chain を指定してください / must be newest or chain");
        };
    }

    private EventPage localPage(AuditQuery q) throws java.io.IOException, InputException {
        try (AuditStore store = open(config(config))) {
            EventPage page = store.reader().page(q, localOperator());
            jp.sekisho.audit.archive.ArchivedMonths.notices(store.database().dataSource(), q.from(), q.to())
                    .forEach(err()::println);
            return page;
        }
    }

    private EventPage remotePage(AuditQuery q) throws java.io.IOException, InputException {
        // the parameters carry order=newest (the API's default is chain order)
        GatewayAccess.Answer a = remote.search("events?" + QueryOptions.toParams(q));
        List<RecordedEvent> found = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(a.body())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            found.add(EventJson.toEvent(m));
        }
        // a gateway that does not send Sekisho-More: a full page may have been cut
        boolean more = !found.isEmpty() && (a.more() != null ? a.more() : found.size() >= q.limit());
        return new EventPage(found, more, more ? Cursor.of(found.get(found.size() - 1)) : null);
    }

    /** The events as an aligned table, Japanese and English headers, times in JST to the second. */
    static String table(List<RecordedEvent> events) {
        TextTable t = new TextTable(
                List.of(
                        "日時(JST) Time",
                        "種別 Type",
                        "結果 Outcome",
                        "理由 Reason",
                        "主体 Principal",
                        "送信元 Source",
                        "経路 Route",
                        "承認 Approval",
                        "転送 Transfer",
                        "記録 Node#Seq"),
                48);
        for (RecordedEvent r : events) {
            var e = r.event();
            t.row(
                    JapaneseDates.time(r.time()),
                    e.type(),
                    e.outcome(),
                    e.reason(),
                    e.principal() == null ? null : e.principal().subject(),
                    e.sourceIp() == null ? null : e.sourceIp() + (e.sourcePort() == null ? "" : ":" + e.sourcePort()),
                    e.routeId(),
                    e.approvalRef(),
                    e.transferId(),
                    r.nodeId() + "#" + r.seq());
        }
        return t.render();
    }

    /** What the page holds, and when cut, the exact command for the next one. */
    String notice(AuditQuery q, EventPage page) {
        int n = page.events().size();
        if (!page.more()) {
            return n + "件（条件に合うのはこれで全部です）/ " + events(n) + " (all that match)";
        }
        return n + "件を表示しました。続きがあります / " + events(n) + " shown; more match."
                + System.lineSeparator() + "次のページ / next page:" + System.lineSeparator() + "  "
                + nextCommand(QueryParameters.next(q, page));
    }

    private static String events(long n) {
        return n + (n == 1 ? " event" : " events");
    }

    /** This command again, with its store or gateway, for {@code next}: every filter spelled out. */
    String nextCommand(AuditQuery next) {
        List<String> words = new ArrayList<>(List.of(spec.qualifiedName().split(" ")));
        if (remote.given()) {
            words.add("--gateway");
            words.add(remote.gateway.toString());
            words.add("--identity");
            words.add(remote.identity == null ? "FILE" : remote.identity.toString());
            if (remote.gatewayCa != null) {
                words.add("--gateway-ca");
                words.add(remote.gatewayCa.toString());
            }
            words.addAll(remote.passwordSourceWords()); // where the password is, never the password
        } else {
            words.add("--config");
            words.add(config.toString());
        }
        if (next.order() == AuditQuery.Order.CHAIN) {
            words.add("--order");
            words.add(QueryParameters.CHAIN);
        }
        for (Map.Entry<String, String> p : QueryParameters.of(next).entrySet()) {
            String option = option(p.getKey());
            if (option != null && !(option.equals("--limit") && next.limit() == DEFAULT_LIMIT)) {
                words.add(option);
                words.add(p.getValue());
            }
        }
        if (json) {
            words.add("--json");
        }
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " ").append(shellWord(w));
        }
        if (remote.given() && remote.identityPassword != null) {
            b.append("  (--identity-password を付けてください / add your --identity-password)");
        }
        return b.toString();
    }

    /** The option of this command for an API parameter; null for one it does not take (order: above). */
    private static String option(String param) {
        return switch (param) {
            case "order", "newerThan" -> null;
            case "afterNode" -> "--after-node";
            case "afterSeq" -> "--after-seq";
            default -> "--" + param;
        };
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:/=,@%+-]+");

    /**
     * A word the shell passes as it is: bare when plain, else in single quotes. A word holding a
     * control or bidi character is shown {@link Printable} instead: a terminal must not act on it,
     * even if the command then needs retyping.
     */
    static String shellWord(String w) {
        if (PLAIN.matcher(w).matches()) {
            return w;
        }
        String shown = Printable.of(w.replace("\\", "")).equals(w.replace("\\", "")) ? w : Printable.of(w);
        return "'" + shown.replace("'", "'\\''") + "'";
    }

    /**
     * One event as a line, for {@code tail}: node#seq time(JST) type outcome reason src route transfer
     * principal. Every text is rendered by {@link Printable}: a CR, LF or ESC in a subject or route id
     * must not print as a line of its own.
     */
    static String line(RecordedEvent r) {
        var e = r.event();
        return nz(r.nodeId()) + '#' + r.seq() + ' ' + JapaneseDates.timeJst(r.time()) + ' ' + e.type() + ' '
                + e.outcome() + ' ' + nz(e.reason())
                + " src=" + nz(e.sourceIp()) + (e.sourcePort() == null ? "" : ":" + e.sourcePort())
                + " route=" + nz(e.routeId()) + " approval=" + nz(e.approvalRef()) + " transfer=" + nz(e.transferId())
                + " principal="
                + (e.principal() == null ? "-" : nz(e.principal().subject()));
    }

    private static String nz(String s) {
        return Printable.orElse(s, "-");
    }
}
