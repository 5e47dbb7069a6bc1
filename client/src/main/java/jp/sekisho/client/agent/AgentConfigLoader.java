package jp.sekisho.client.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.transfer.TusUploader;
import jp.sekisho.client.transfer.Units;
import jp.sekisho.gateway.input.Ids;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and checks {@code agent.yml}. Every error is one line, exit 2:
 * {@code FILE: line N: FIELD: problem (Japanese, then English)}, so the operator knows where to look.
 * The YAML is read as nodes (not objects) to keep each value's line. Bounded: the file at most
 * 1 MiB, at most 64 outboxes and 64 inboxes, paths at most 4096 characters.
 */
public final class AgentConfigLoader {

    static final int MAX_FILE_BYTES = 1 << 20;
    static final int MAX_FOLDERS = 64;
    static final int MAX_PATH = 4096;
    static final long MIN_CHUNK = 16 * 1024;
    static final long MAX_CHUNK = 1024L * 1024 * 1024;
    static final Duration MIN_POLL = Duration.ofMillis(10);
    static final Duration MAX_POLL = Duration.ofMinutes(10);

    private static final Set<String> TOP = Set.of(
            "gateway",
            "identity",
            "identity-password-file",
            "gateway-ca",
            "bind",
            "key",
            "key-password-file",
            "cert",
            "trust",
            "outboxes",
            "inboxes",
            "poll",
            "retry-max");
    private static final Set<String> OUTBOX =
            Set.of("route", "folder", "complete", "records-from", "items-map", "chunk-size");
    private static final Set<String> INBOX = Set.of("route", "folder");

    private final Path file;
    private final YamlNodes yaml;
    private final Path base;
    /** Each folder's node by field name, for the line of a folder that clashes with another. */
    private final Map<String, Node> folderNodes = new LinkedHashMap<>();

    private AgentConfigLoader(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.base = this.file.getParent();
        this.yaml = new YamlNodes(this.file, MAX_FILE_BYTES, MAX_FOLDERS);
    }

    /** The configuration in {@code file}, checked; a {@link CliException} (exit 2) names the line and field of a problem. */
    public static AgentConfig load(Path file) {
        return new AgentConfigLoader(file).read();
    }

    private AgentConfig read() {
        Node root = yaml.parse();
        Map<String, Node> top = yaml.mapping(root, "", TOP);
        URI gateway = gateway(yaml.required(top, "gateway", root, ""));
        Path identity = existingFile(yaml.required(top, "identity", root, ""), "identity");
        Path identityPassword = optionalFile(top, "identity-password-file", "");
        Path gatewayCa = optionalFile(top, "gateway-ca", "");
        String bind = top.containsKey("bind") ? yaml.bounded(top.get("bind"), "bind", 255) : null;
        Duration poll = duration(top, "poll", Duration.ofSeconds(1));
        Duration retryMax = duration(top, "retry-max", Duration.ofSeconds(30));

        List<AgentConfig.Outbox> outboxes = new ArrayList<>();
        for (Map.Entry<String, Node> e : yaml.sequence(top, "outboxes").entrySet()) {
            outboxes.add(outbox(e.getValue(), e.getKey()));
        }
        List<AgentConfig.Inbox> inboxes = new ArrayList<>();
        for (Map.Entry<String, Node> e : yaml.sequence(top, "inboxes").entrySet()) {
            Map<String, Node> m = yaml.mapping(e.getValue(), e.getKey(), INBOX);
            inboxes.add(new AgentConfig.Inbox(
                    route(yaml.required(m, "route", e.getValue(), e.getKey()), e.getKey() + ".route"),
                    folder(yaml.required(m, "folder", e.getValue(), e.getKey()), e.getKey() + ".folder")));
        }
        if (outboxes.isEmpty() && inboxes.isEmpty()) {
            throw yaml.error(
                    root,
                    "outboxes",
                    "送信フォルダも受信フォルダもありません。 neither outboxes nor inboxes: the agent would have" + " nothing to do");
        }
        AgentConfig.Recipient recipient = null;
        if (!inboxes.isEmpty()) {
            recipient = new AgentConfig.Recipient(
                    existingFile(yaml.required(top, "key", root, ""), "key"),
                    optionalFile(top, "key-password-file", ""),
                    optionalFile(top, "cert", ""),
                    existingFile(yaml.required(top, "trust", root, ""), "trust"));
        } else {
            for (String k : List.of("key", "key-password-file", "cert", "trust")) {
                if (top.containsKey(k)) {
                    throw yaml.error(top.get(k), k, "受信フォルダがないため使われません。 used only with inboxes, and there are none");
                }
            }
        }
        checkFoldersApart(outboxes, inboxes, top);
        return new AgentConfig(
                file,
                gateway,
                identity,
                identityPassword,
                gatewayCa,
                bind,
                recipient,
                List.copyOf(outboxes),
                List.copyOf(inboxes),
                poll,
                retryMax);
    }

    private AgentConfig.Outbox outbox(Node node, String at) {
        Map<String, Node> m = yaml.mapping(node, at, OUTBOX);
        String route = route(yaml.required(m, "route", node, at), at + ".route");
        Path folder = folder(yaml.required(m, "folder", node, at), at + ".folder");
        AgentConfig.Complete complete = AgentConfig.Complete.RENAME;
        if (m.containsKey("complete")) {
            complete = switch (yaml.scalar(m.get("complete"), at + ".complete")) {
                case "rename" -> AgentConfig.Complete.RENAME;
                case "done-marker" -> AgentConfig.Complete.DONE_MARKER;
                default ->
                    throw yaml.error(
                            m.get("complete"),
                            at + ".complete",
                            "rename か done-marker を指定してください。 must be rename or done-marker");
            };
        }
        AgentConfig.RecordsFrom records = AgentConfig.RecordsFrom.CSV;
        if (m.containsKey("records-from")) {
            records = switch (yaml.scalar(m.get("records-from"), at + ".records-from")) {
                case "csv" -> AgentConfig.RecordsFrom.CSV;
                case "done-marker" -> AgentConfig.RecordsFrom.DONE_MARKER;
                default ->
                    throw yaml.error(
                            m.get("records-from"),
                            at + ".records-from",
                            "csv か done-marker を指定してください。 must be csv or done-marker");
            };
            if (records == AgentConfig.RecordsFrom.DONE_MARKER && complete != AgentConfig.Complete.DONE_MARKER) {
                throw yaml.error(
                        m.get("records-from"),
                        at + ".records-from",
                        "done-marker には complete: done-marker が必要です。 done-marker needs complete: done-marker"
                                + " (the marker holds the count)");
            }
        }
        Path itemsMap = m.containsKey("items-map") ? existingFile(m.get("items-map"), at + ".items-map") : null;
        long chunk = TusUploader.DEFAULT_CHUNK;
        if (m.containsKey("chunk-size")) {
            String v = yaml.bounded(m.get("chunk-size"), at + ".chunk-size", 32);
            try {
                chunk = Units.size(v);
            } catch (RuntimeException e) {
                throw yaml.error(
                        m.get("chunk-size"),
                        at + ".chunk-size",
                        "大きさとして読めません。 not a size (e.g. 64MiB): " + Printable.of(v));
            }
            if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) {
                throw yaml.error(m.get("chunk-size"), at + ".chunk-size", "範囲外です。 must be between 16KiB and 1GiB");
            }
        }
        return new AgentConfig.Outbox(route, folder, complete, records, itemsMap, chunk);
    }

    /** No folder inside another, none twice: an inbox inside an outbox would send what it receives. */
    private void checkFoldersApart(
            List<AgentConfig.Outbox> outboxes, List<AgentConfig.Inbox> inboxes, Map<String, Node> top) {
        record Named(Path folder, String field, Node node) {}
        List<Named> all = new ArrayList<>();
        for (int i = 0; i < outboxes.size(); i++) {
            String f = "outboxes[" + i + "].folder";
            all.add(new Named(outboxes.get(i).folder(), f, folderNodes.getOrDefault(f, top.get("outboxes"))));
        }
        for (int i = 0; i < inboxes.size(); i++) {
            String f = "inboxes[" + i + "].folder";
            all.add(new Named(inboxes.get(i).folder(), f, folderNodes.getOrDefault(f, top.get("inboxes"))));
        }
        for (int j = 0; j < all.size(); j++) {
            Named b = all.get(j);
            for (int i = 0; i < all.size(); i++) {
                Named a = all.get(i);
                if (i < j && a.folder().equals(b.folder())) {
                    throw yaml.error(
                            b.node(), b.field(), "フォルダが " + a.field() + " と同じです。 the same folder as " + a.field());
                }
                if (i != j && !a.folder().equals(b.folder()) && b.folder().startsWith(a.folder())) {
                    throw yaml.error(
                            b.node(),
                            b.field(),
                            "フォルダが " + a.field() + " の中にあります。 inside the folder of " + a.field()
                                    + ": each folder must stand apart");
                }
            }
        }
    }

    private URI gateway(Node n) {
        String v = yaml.bounded(n, "gateway", 2048);
        try {
            URI u = new URI(v);
            if (!"https".equals(u.getScheme()) || u.getHost() == null) {
                throw yaml.error(
                        n, "gateway", "https://HOST:PORT の形で指定してください。 must be an https:// URL, got " + Printable.of(v));
            }
            return URI.create(v.endsWith("/") ? v : v + "/");
        } catch (URISyntaxException e) {
            throw yaml.error(n, "gateway", "URL として読めません。 not a URL: " + Printable.of(e.getMessage()));
        }
    }

    private String route(Node n, String field) {
        String v = yaml.bounded(n, field, 63);
        Ids.ROUTE.problem(v).ifPresent(p -> {
            throw yaml.error(n, field, "経路IDとして正しくありません。 " + p);
        });
        return v;
    }

    private Path path(Node n, String field) {
        String v = yaml.bounded(n, field, MAX_PATH);
        try {
            return base.resolve(v).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw yaml.error(n, field, "パスとして読めません。 not a path: " + Printable.of(e.getMessage()));
        }
    }

    private Path existingFile(Node n, String field) {
        Path p = path(n, field);
        if (!Files.isRegularFile(p)) {
            throw yaml.error(n, field, "ファイルがありません。 no such file: " + Printable.value(p));
        }
        return p;
    }

    private Path optionalFile(Map<String, Node> m, String key, String at) {
        return m.containsKey(key) ? existingFile(m.get(key), at + key) : null;
    }

    private Path folder(Node n, String field) {
        folderNodes.put(field, n);
        Path p = path(n, field);
        if (!Files.isDirectory(p)) {
            throw yaml.error(
                    n,
                    field,
                    "フォルダがありません。作成してから起動してください。 no such folder: " + Printable.value(p)
                            + " (create it, owned by the agent's user, then start the agent)");
        }
        return p;
    }

    private Duration duration(Map<String, Node> m, String key, Duration fallback) {
        if (!m.containsKey(key)) {
            return fallback;
        }
        String v = yaml.bounded(m.get(key), key, 32);
        Duration d;
        try {
            d = Units.duration(v);
        } catch (RuntimeException e) { // picocli's TypeConversionException, or a number too large
            throw yaml.error(m.get(key), key, "時間として読めません。 not a duration (e.g. 500ms, 1s, 2m): " + Printable.of(v));
        }
        if (d.compareTo(MIN_POLL) < 0 || d.compareTo(MAX_POLL) > 0) {
            throw yaml.error(m.get(key), key, "範囲外です。 must be between 10ms and 10m");
        }
        return d;
    }
}
