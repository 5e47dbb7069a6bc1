package jp.sekisho.client.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import jp.sekisho.cli.CliException;
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
 * One YAML file read as nodes, so that every value keeps its line, and the shapes a configuration
 * is made of (a mapping of known keys, a bounded list, a required non-empty value without control
 * characters), each refused with one usage line: {@code FILE: line N: FIELD: problem}. Safe
 * loading: no aliases, no duplicate keys, no types beyond YAML's own.
 */
final class YamlNodes {

    private final Path file;
    private final int maxFileBytes;
    private final int maxItems;

    YamlNodes(Path file, int maxFileBytes, int maxItems) {
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.maxItems = maxItems;
    }

    Node parse() {
        try {
            long size = Files.size(file);
            if (size > maxFileBytes) {
                throw CliException.usage(file + ": 設定ファイルが大きすぎます。 larger than " + maxFileBytes + " bytes");
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

    CliException error(Node at, String field, String problem) {
        String line = at == null ? "" : "line " + (at.getStartMark().getLine() + 1) + ": ";
        return CliException.usage(file + ": " + line + field + ": " + problem);
    }

    /** A mapping whose keys are all in {@code known}, each once; {@code at} names it in errors. */
    Map<String, Node> mapping(Node node, String at, Set<String> known) {
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
    Map<String, Node> sequence(Map<String, Node> top, String key) {
        Node n = top.get(key);
        Map<String, Node> out = new LinkedHashMap<>();
        if (n == null || (n instanceof ScalarNode s && s.getValue().isEmpty())) {
            return out;
        }
        if (!(n instanceof SequenceNode seq)) {
            throw error(n, key, "リスト（- で始まる項目）が必要です。 must be a list (items starting with -)");
        }
        if (seq.getValue().size() > maxItems) {
            throw error(n, key, "多すぎます。 at most " + maxItems + " items");
        }
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.put(key + "[" + i + "]", seq.getValue().get(i));
        }
        return out;
    }

    Node required(Map<String, Node> m, String key, Node parent, String at) {
        Node n = m.get(key);
        if (n == null) {
            throw error(parent, at.isEmpty() ? key : at + "." + key, "必須です。 required");
        }
        return n;
    }

    String scalar(Node n, String field) {
        if (!(n instanceof ScalarNode s) || s.getValue().isEmpty()) {
            throw error(n, field, "値が必要です。 must be a single non-empty value");
        }
        return s.getValue();
    }

    String bounded(Node n, String field, int max) {
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
}
