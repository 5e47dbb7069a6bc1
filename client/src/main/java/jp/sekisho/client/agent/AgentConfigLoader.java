package jp.sekisho.client.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
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
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

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
    private final Path base;
    /** Each folder's node by field name, for the line of a folder that clashes with another. */
    private final Map<String, Node> folderNodes = new LinkedHashMap<>();

    private AgentConfigLoader(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.base = this.file.getParent();
    }

    /** The configuration in {@code file}, checked; a {@link CliException} (exit 2) names the line and field of a problem. */
    public static AgentConfig load(Path file) {
        return new AgentConfigLoader(file).read();
    }

    private AgentConfig read() {
        Node root = parse();
        Map<String, Node> top = mapping(root, "", TOP);
        URI gateway = gateway(required(top, "gateway", root, ""));
        Path identity = existingFile(required(top, "identity", root, ""), "identity");
        Path identityPassword = optionalFile(top, "identity-password-file", "");
        Path gatewayCa = optionalFile(top, "gateway-ca", "");
        String bind = top.containsKey("bind") ? bounded(top.get("bind"), "bind", 255) : null;
        Duration poll = duration(top, "poll", Duration.ofSeconds(1));
        Duration retryMax = duration(top, "retry-max", Duration.ofSeconds(30));

        List<AgentConfig.Outbox> outboxes = new ArrayList<>();
        for (Map.Entry<String, Node> e : sequence(top, "outboxes").entrySet()) {
            outboxes.add(outbox(e.getValue(), e.getKey()));
        }
        List<AgentConfig.Inbox> inboxes = new ArrayList<>();
        for (Map.Entry<String, Node> e : sequence(top, "inboxes").entrySet()) {
            Map<String, Node> m = mapping(e.getValue(), e.getKey(), INBOX);
            inboxes.add(new AgentConfig.Inbox(
                    route(required(m, "route", e.getValue(), e.getKey()), e.getKey() + ".route"),
                    folder(required(m, "folder", e.getValue(), e.getKey()), e.getKey() + ".folder")));
        }
        if (outboxes.isEmpty() && inboxes.isEmpty()) {
            throw error(
                    root,
                    "outboxes",
                    "送信フォルダも受信フォルダもありません。 neither outboxes nor inboxes: the agent would have" + " nothing to do");
        }
        AgentConfig.Recipient recipient = null;
        if (!inboxes.isEmpty()) {
            recipient = new AgentConfig.Recipient(
                    existingFile(required(top, "key", root, ""), "key"),
                    optionalFile(top, "key-password-file", ""),
                    optionalFile(top, "cert", ""),
                    existingFile(required(top, "trust", root, ""), "trust"));
        } else {
            for (String k : List.of("key", "key-password-file", "cert", "trust")) {
                if (top.containsKey(k)) {
                    throw error(top.get(k), k, "受信フォルダがないため使われません。 used only with inboxes, and there are none");
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
        Map<String, Node> m = mapping(node, at, OUTBOX);
        String route = route(required(m, "route", node, at), at + ".route");
        Path folder = folder(required(m, "folder", node, at), at + ".folder");
        AgentConfig.Complete complete = AgentConfig.Complete.RENAME;
        if (m.containsKey("complete")) {
            complete = switch (scalar(m.get("complete"), at + ".complete")) {
                case "rename" -> AgentConfig.Complete.RENAME;
                case "done-marker" -> AgentConfig.Complete.DONE_MARKER;
                default ->
                    throw error(
                            m.get("complete"),
                            at + ".complete",
                            "rename か done-marker を指定してください。 must be rename or done-marker");
            };
        }
        AgentConfig.RecordsFrom records = AgentConfig.RecordsFrom.CSV;
        if (m.containsKey("records-from")) {
            records = switch (scalar(m.get("records-from"), at + ".records-from")) {
                case "csv" -> AgentConfig.RecordsFrom.CSV;
                case "done-marker" -> AgentConfig.RecordsFrom.DONE_MARKER;
                default ->
                    throw error(
                            m.get("records-from"),
                            at + ".records-from",
                            "csv か done-marker を指定してください。 must be csv or done-marker");
            };
            if (records == AgentConfig.RecordsFrom.DONE_MARKER && complete != AgentConfig.Complete.DONE_MARKER) {
                throw error(
                        m.get("records-from"),
                        at + ".records-from",
                        "done-marker には complete: done-marker が必要です。 done-marker needs complete: done-marker"
                                + " (the marker holds the count)");
            }
        }
        Path itemsMap = m.containsKey("items-map") ? existingFile(m.get("items-map"), at + ".items-map") : null;
        long chunk = TusUploader.DEFAULT_CHUNK;
        if (m.containsKey("chunk-size")) {
            String v = bounded(m.get("chunk-size"), at + ".chunk-size", 32);
            try {
                chunk = Units.size(v);
            } catch (RuntimeException e) {
                throw error(
                        m.get("chunk-size"),
                        at + ".chunk-size",
                        "大きさとして読めません。 not a size (e.g. 64MiB): " + Printable.of(v));
            }
            if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) {
                throw error(m.get("chunk-size"), at + ".chunk-size", "範囲外です。 must be between 16KiB and 1GiB");
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
                    throw error(b.node(), b.field(), "フォルダが " + a.field() + " と同じです。 the same folder as " + a.field());
                }
                if (i != j && !a.folder().equals(b.folder()) && b.folder().startsWith(a.folder())) {
                    throw error(
                            b.node(),
                            b.field(),
                            "フォルダが " + a.field() + " の中にあります。 inside the folder of " + a.field()
                                    + ": each folder must stand apart");
                }
            }
        }
    }

    private Node parse() {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw CliException.usage(file + ": 設定ファイルが大きすぎます。 larger than " + MAX_FILE_BYTES + " bytes");
            }
        } catch (IOException e) {
            throw CliException.usage(file + ": 設定ファイルを読めません。 cannot read: " + e.getMessage());
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(0);
            Node root = new Yaml(new SafeConstructor(options)).compose(r);
            if (root == null) {
                throw CliException.usage(file + ": 設定ファイルが空です。 empty file");
            }
            return root;
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null
                    ? ""
                    : "line " + (e.getProblemMark().getLine() + 1) + ": ";
            throw CliException.usage(file + ": " + where + "YAML として読めません。 not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw CliException.usage(file + ": YAML として読めません。 not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            throw CliException.usage(file + ": 設定ファイルを読めません。 cannot read: " + e.getMessage());
        }
    }

    private CliException error(Node at, String field, String problem) {
        String line = at == null ? "" : "line " + (at.getStartMark().getLine() + 1) + ": ";
        return CliException.usage(file + ": " + line + field + ": " + problem);
    }

    /** A mapping whose keys are all in {@code known}, each once; {@code at} names it in errors. */
    private Map<String, Node> mapping(Node node, String at, Set<String> known) {
        if (!(node instanceof MappingNode m)) {
            throw error(node, at.isEmpty() ? "(top)" : at, "キーと値の組が必要です。 must be a mapping of keys to values");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            String field = at.isEmpty() ? key : at + "." + key;
            if (key == null || !known.contains(key)) {
                throw error(
                        t.getKeyNode(),
                        key == null ? at : field,
                        "不明なキーです。 unknown key (known: "
                                + String.join(", ", known.stream().sorted().toList()) + ")");
            }
            if (out.put(key, t.getValueNode()) != null) {
                throw error(t.getKeyNode(), field, "キーが重複しています。 given twice");
            }
        }
        return out;
    }

    /** The items of a sequence, named {@code key[i]}; absent means none. */
    private Map<String, Node> sequence(Map<String, Node> top, String key) {
        Node n = top.get(key);
        Map<String, Node> out = new LinkedHashMap<>();
        if (n == null || (n instanceof ScalarNode s && s.getValue().isEmpty())) {
            return out;
        }
        if (!(n instanceof SequenceNode seq)) {
            throw error(n, key, "リスト（- で始まる項目）が必要です。 must be a list (items starting with -)");
        }
        if (seq.getValue().size() > MAX_FOLDERS) {
            throw error(n, key, "多すぎます。 at most " + MAX_FOLDERS + " items");
        }
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.put(key + "[" + i + "]", seq.getValue().get(i));
        }
        return out;
    }

    private Node required(Map<String, Node> m, String key, Node parent, String at) {
        Node n = m.get(key);
        if (n == null) {
            throw error(parent, at.isEmpty() ? key : at + "." + key, "必須です。 required");
        }
        return n;
    }

    private String scalar(Node n, String field) {
        if (!(n instanceof ScalarNode s) || s.getValue().isEmpty()) {
            throw error(n, field, "値が必要です。 must be a single non-empty value");
        }
        return s.getValue();
    }

    private String bounded(Node n, String field, int max) {
        String v = scalar(n, field);
        if (v.length() > max) {
            throw error(n, field, "長すぎます。 longer than " + max + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                throw error(n, field, "制御文字を含みます。 holds a control character");
            }
        }
        return v;
    }

    private URI gateway(Node n) {
        String v = bounded(n, "gateway", 2048);
        try {
            URI u = new URI(v);
            if (!"https".equals(u.getScheme()) || u.getHost() == null) {
                throw error(
                        n, "gateway", "https://HOST:PORT の形で指定してください。 must be an https:// URL, got " + Printable.of(v));
            }
            return URI.create(v.endsWith("/") ? v : v + "/");
        } catch (URISyntaxException e) {
            throw error(n, "gateway", "URL として読めません。 not a URL: " + Printable.of(e.getMessage()));
        }
    }

    private String route(Node n, String field) {
        String v = bounded(n, field, 63);
        Ids.ROUTE.problem(v).ifPresent(p -> {
            throw error(n, field, "経路IDとして正しくありません。 " + p);
        });
        return v;
    }

    private Path path(Node n, String field) {
        String v = bounded(n, field, MAX_PATH);
        try {
            return base.resolve(v).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw error(n, field, "パスとして読めません。 not a path: " + Printable.of(e.getMessage()));
        }
    }

    private Path existingFile(Node n, String field) {
        Path p = path(n, field);
        if (!Files.isRegularFile(p)) {
            throw error(n, field, "ファイルがありません。 no such file: " + Printable.value(p));
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
            throw error(
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
        String v = bounded(m.get(key), key, 32);
        Duration d;
        try {
            d = Units.duration(v);
        } catch (RuntimeException e) { // picocli's TypeConversionException, or a number too large
            throw error(m.get(key), key, "時間として読めません。 not a duration (e.g. 500ms, 1s, 2m): " + Printable.of(v));
        }
        if (d.compareTo(MIN_POLL) < 0 || d.compareTo(MAX_POLL) > 0) {
            throw error(m.get(key), key, "範囲外です。 must be between 10ms and 10m");
        }
        return d;
    }
}
