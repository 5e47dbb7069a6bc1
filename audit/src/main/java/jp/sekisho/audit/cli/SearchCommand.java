package jp.sekisho.audit.cli;

import java.nio.file.Path;
import java.util.List;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.cli.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit search}: prints matching events, one per line. */
@Command(name = "search", mixinStandardHelpOptions = true, description = "Search audit events.")
final class SearchCommand extends StoreCommand {

    @Option(
            names = "--config",
            paramLabel = "GATEWAY.yml",
            description = "search the store this gateway configuration uses")
    Path config;

    @Mixin
    GatewayAccess remote = new GatewayAccess();

    @Option(names = "--limit", defaultValue = "100", description = "most events to print (default 100)")
    int limit;

    @Option(names = "--json", description = "print JSON Lines instead of a table")
    boolean json;

    @Mixin
    QueryOptions filters = new QueryOptions();

    @Override
    int execute() throws java.io.IOException, InputException {
        if (limit < 1) {
            throw new InputException("--limit must be positive");
        }
        if ((config == null) == !remote.given()) {
            throw new InputException("give either --config GATEWAY.yml or --gateway URL --identity FILE");
        }
        var query = filters.toQuery().limit(limit);
        List<RecordedEvent> found = new java.util.ArrayList<>();
        if (remote.given()) {
            String params = filters.toParams();
            String body = remote.getString("events?limit=" + limit + (params.isEmpty() ? "" : "&" + params));
            for (Object o : (List<?>) jp.sekisho.audit.json.Json.parse(body)) {
                @SuppressWarnings("unchecked")
                java.util.Map<String, Object> m = (java.util.Map<String, Object>) o;
                found.add(EventJson.toEvent(m));
            }
        } else {
            try (AuditStore store = open(config(config))) {
                found = store.reader().search(query, localOperator());
            }
        }
        for (RecordedEvent r : found) {
            if (json) {
                StringBuilder b = new StringBuilder();
                EventJson.event(b, r);
                out().println(b);
            } else {
                out().println(line(r));
            }
        }
        out().flush();
        return AuditCommand.OK;
    }

    /**
     * One event as a table line: node#seq time type outcome reason src route transfer principal. Every
     * text is rendered by {@link Printable}: a CR, LF or ESC in a subject or route id must not print
     * as a line of its own.
     */
    static String line(RecordedEvent r) {
        var e = r.event();
        return nz(r.nodeId()) + '#' + r.seq() + ' ' + r.time() + ' ' + e.type() + ' ' + e.outcome() + ' '
                + nz(e.reason())
                + " src=" + nz(e.sourceIp()) + (e.sourcePort() == null ? "" : ":" + e.sourcePort())
                + " route=" + nz(e.routeId()) + " approval=" + nz(e.approvalRef()) + " transfer=" + nz(e.transferId())
                + " principal="
                + (e.principal() == null ? "-" : nz(e.principal().subject()));
    }

    private static String nz(String s) {
        return Printable.orElse(s, "-");
    }
}
