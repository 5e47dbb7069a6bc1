package jp.sekisho.audit.cli;

import java.nio.file.Path;
import java.util.List;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit search}: prints matching events, one per line. */
@Command(name = "search", mixinStandardHelpOptions = true, description = "Search audit events.")
final class SearchCommand extends StoreCommand {

    @Option(names = "--config", required = true, paramLabel = "GATEWAY.yml")
    Path config;

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
        var query = filters.toQuery().limit(limit);
        var cfg = config(config);
        List<RecordedEvent> found;
        try (AuditStore store = open(cfg)) {
            found = store.reader().search(query, localOperator());
        }
        StringBuilder b = new StringBuilder();
        for (RecordedEvent r : found) {
            b.setLength(0);
            if (json) {
                EventJson.event(b, r);
            } else {
                var e = r.event();
                b.append(r.nodeId()).append('#').append(r.seq()).append(' ').append(r.time()).append(' ')
                        .append(e.type()).append(' ').append(e.outcome()).append(' ').append(nz(e.reason()))
                        .append(" src=").append(nz(e.sourceIp())).append(e.sourcePort() == null ? "" : ":" + e.sourcePort())
                        .append(" route=").append(nz(e.routeId())).append(" transfer=").append(nz(e.transferId()))
                        .append(" principal=").append(e.principal() == null ? "-" : nz(e.principal().subject()));
            }
            out().println(b);
        }
        out().flush();
        return AuditCommand.OK;
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }
}
