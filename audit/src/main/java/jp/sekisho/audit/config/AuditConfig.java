package jp.sekisho.audit.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The audit part of the gateway configuration file: {@code node-id}, {@code data-dir},
 * {@code store.*} and {@code audit.*}. Other keys belong to the gateway and are ignored here.
 * Relative paths are resolved against the folder of the YAML file.
 */
public record AuditConfig(StoreConfig store, AuditSettings audit, Path dataDir) {

    public static AuditConfig fromGatewayYaml(Path file) throws IOException {
        Map<String, Object> root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            root = doc == null ? Map.of() : map(doc, "the document");
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        String nodeId = str(root, "node-id", "gw1");
        Path dataDir = base.resolve(str(root, "data-dir", "data"));
        Map<String, Object> audit = root.get("audit") == null ? Map.of() : map(root.get("audit"), "audit");
        Duration timeout = duration(str(audit, "write-timeout", "2s"));

        StoreConfig store;
        if (root.get("store") == null) {
            store = StoreConfig.embedded(dataDir.resolve("pg")).withTimeout(timeout);
        } else {
            Map<String, Object> s = map(root.get("store"), "store");
            String url = str(s, "url", null);
            if (url == null) {
                throw new IOException(
                        file + ": store.url is required when store is given (omit store for the embedded database)");
            }
            String user = str(s, "user", StoreConfig.EMBEDDED_APP_ROLE);
            String password = password(s, base, "password", "password-file");
            String owner = str(s, "owner-user", null);
            store = StoreConfig.external(url, user, password).withTimeout(timeout);
            if (owner != null) {
                store = store.withOwner(owner, password(s, base, "owner-password", "owner-password-file"));
            }
        }
        AuditSettings settings = new AuditSettings(
                nodeId,
                audit.get("signing-key") == null
                        ? dataDir.resolve("audit-signing.key")
                        : base.resolve(str(audit, "signing-key", null)),
                Integer.parseInt(str(audit, "checkpoint-every", "1000")),
                duration(str(audit, "checkpoint-seconds", "10")),
                Integer.parseInt(str(audit, "queue-capacity", "10000")),
                timeout,
                2000);
        return new AuditConfig(store, settings, dataDir);
    }

    private static String password(Map<String, Object> s, Path base, String key, String fileKey) throws IOException {
        String file = str(s, fileKey, null);
        if (file != null) {
            return Files.readString(base.resolve(file), StandardCharsets.UTF_8).strip();
        }
        return str(s, key, null);
    }

    /** "2s", "500ms", "1m", or a bare number of seconds. */
    static Duration duration(String v) {
        String t = v.trim();
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(
                        Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(
                        Long.parseLong(t.substring(0, t.length() - 1).trim()));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: " + v);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a mapping");
        }
        return (Map<String, Object>) o;
    }

    private static String str(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        return v == null ? dflt : v.toString();
    }
}
