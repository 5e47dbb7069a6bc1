package jp.sekisho.audit.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The audit part of the gateway configuration file: {@code node-id}, {@code data-dir},
 * {@code store.*} and {@code audit.*}. Other top-level keys belong to the gateway (which checks them);
 * inside {@code store:} and {@code audit:} every key must be known ({@link StrictMap}), so a misspelt
 * {@code passwrd-file:} stops start-up instead of leaving the store without a password.
 * Relative paths are resolved against the folder of the YAML file.
 */
public record AuditConfig(StoreConfig store, AuditSettings audit, Path dataDir) {

    public static final Set<String> STORE_KEYS =
            Set.of("url", "user", "password", "password-file", "owner-user", "owner-password", "owner-password-file");
    public static final Set<String> AUDIT_KEYS =
            Set.of("signing-key", "checkpoint-every", "checkpoint-seconds", "queue-capacity", "write-timeout");

    /**
     * Checks the {@code store:} and {@code audit:} sections of a parsed gateway.yml without opening
     * anything, so the gateway's loader stops on a misspelt key with its own error type.
     */
    public static void check(Map<?, ?> root, String file, Function<String, ? extends RuntimeException> errors) {
        sections(root, file, errors);
    }

    public static AuditConfig fromGatewayYaml(Path file) throws IOException {
        Map<?, ?> root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            Object doc = new Yaml(new SafeConstructor(options)).load(r);
            if (doc != null && !(doc instanceof Map)) {
                throw new IllegalArgumentException("the document must be a mapping");
            }
            root = doc == null ? Map.of() : (Map<?, ?>) doc;
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        StrictMap[] s = sections(root, file.toString(), IllegalArgumentException::new);
        StrictMap storeMap = s[0];
        StrictMap audit = s[1];
        String nodeId =
                root.get("node-id") == null ? "gw1" : root.get("node-id").toString();
        Path dataDir = base.resolve(
                root.get("data-dir") == null ? "data" : root.get("data-dir").toString());
        Duration timeout = duration(audit, "write-timeout", "2s");

        StoreConfig store;
        if (storeMap == null) {
            store = StoreConfig.embedded(dataDir.resolve("pg")).withTimeout(timeout);
        } else {
            String url = storeMap.text("url", null);
            if (url == null) {
                throw new IOException(
                        file + ": store.url is required when store is given (omit store for the embedded database)");
            }
            String user = storeMap.text("user", StoreConfig.EMBEDDED_APP_ROLE);
            String password = password(storeMap, base, "password", "password-file");
            String owner = storeMap.text("owner-user", null);
            store = StoreConfig.external(url, user, password).withTimeout(timeout);
            if (owner != null) {
                store = store.withOwner(owner, password(storeMap, base, "owner-password", "owner-password-file"));
            }
        }
        AuditSettings settings = new AuditSettings(
                nodeId,
                audit.has("signing-key")
                        ? base.resolve(audit.text("signing-key", null))
                        : dataDir.resolve("audit-signing.key"),
                number(audit, "checkpoint-every", 1000),
                duration(audit, "checkpoint-seconds", "10"),
                number(audit, "queue-capacity", 10000),
                timeout,
                2000);
        return new AuditConfig(store, settings, dataDir);
    }

    /** {@code store} (null when absent: the embedded store) and {@code audit} (empty when absent), strictly. */
    private static StrictMap[] sections(
            Map<?, ?> root, String file, Function<String, ? extends RuntimeException> errors) {
        StrictMap store =
                root.get("store") == null ? null : StrictMap.of(root.get("store"), file, "store", STORE_KEYS, errors);
        StrictMap audit = StrictMap.of(
                root.get("audit") == null ? Map.of() : root.get("audit"), file, "audit", AUDIT_KEYS, errors);
        duration(audit, "write-timeout", "2s");
        duration(audit, "checkpoint-seconds", "10");
        number(audit, "checkpoint-every", 1000);
        number(audit, "queue-capacity", 10000);
        if (store != null) {
            for (String k : STORE_KEYS) {
                store.text(k, null); // a mapping or list where a value belongs is an error too
            }
        }
        audit.text("signing-key", null);
        return new StrictMap[] {store, audit};
    }

    private static int number(StrictMap m, String key, int dflt) {
        String v = m.text(key, null);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below names the key
        }
        throw m.error(key, "must be a whole number of at least 1, got '" + v + "'");
    }

    private static Duration duration(StrictMap m, String key, String dflt) {
        try {
            return duration(m.text(key, dflt));
        } catch (IllegalArgumentException e) {
            throw m.error(key, "must be a duration such as 2s, 500ms or 1m, got '" + m.get(key) + "'");
        }
    }

    private static String password(StrictMap s, Path base, String key, String fileKey) throws IOException {
        String file = s.text(fileKey, null);
        if (file != null) {
            return Files.readString(base.resolve(file), StandardCharsets.UTF_8).strip();
        }
        return s.text(key, null);
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
}
