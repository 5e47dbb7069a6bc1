package jp.sekisho.audit.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code audit tail}: follows new events through a running gateway until Ctrl-C. Its own reads
 * (AUDIT_READ) are left out unless asked for with --type, or every poll would print itself.
 */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = "稼働中のゲートウェイを通して新しい監査記録を表示し続けます（Ctrl-C で終了）。"
                + " Follow new audit events through a running gateway (Ctrl-C to stop).")
final class TailCommand extends StoreCommand {

    @Mixin
    GatewayAccess remote = new GatewayAccess();

    @Mixin
    QueryOptions filters = new QueryOptions();

    @Option(
            names = "--interval",
            defaultValue = "2",
            description = "問い合わせの間隔（秒、既定 2） / seconds between polls (default 2)")
    int interval;

    @Option(names = "--json", description = "表の代わりに JSON Lines で表示します / print JSON Lines instead of a table")
    boolean json;

    @Option(
            names = "--max-polls",
            hidden = true,
            defaultValue = "0",
            description = "問い合わせを N 回したら終了（テスト用） / stop after N polls (tests)")
    int maxPolls;

    @Override
    int execute() throws java.io.IOException, InputException {
        if (!remote.given()) {
            throw new InputException(
                    "tail には --gateway URL --identity FILE が要ります。 tail needs --gateway URL" + " --identity FILE");
        }
        if (filters.types == null) {
            filters.types = java.util.Arrays.stream(EventType.values())
                    .filter(t -> t != EventType.AUDIT_READ)
                    .toList();
        }
        if (filters.from == null && filters.since == null) {
            filters.from = Instant.now().minus(Duration.ofMinutes(1)).toString();
        }
        Set<String> seen = new HashSet<>();
        for (int poll = 1; maxPolls == 0 || poll <= maxPolls; poll++) {
            String body = remote.getString("events?limit=1000&" + filters.toParams());
            for (Object o : (List<?>) Json.parse(body)) {
                @SuppressWarnings("unchecked")
                RecordedEvent r = EventJson.toEvent((Map<String, Object>) o);
                if (seen.add(r.nodeId() + "#" + r.seq())) {
                    out().println(json ? eventJson(r) : SearchCommand.line(r));
                    filters.since = null; // from here on, from the last event seen
                    filters.from = r.time().toString();
                }
            }
            out().flush();
            if (maxPolls != 0 && poll == maxPolls) {
                break;
            }
            try {
                Thread.sleep(interval * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return AuditCommand.OK;
    }

    private static String eventJson(RecordedEvent r) {
        StringBuilder b = new StringBuilder();
        EventJson.event(b, r);
        return b.toString();
    }
}
