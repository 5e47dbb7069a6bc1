package jp.sekisho.gateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.config.StrictMap;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.identity.Role;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates the gateway YAML. Every error is one {@link ConfigException} line:
 * {@code FILE: KEY: problem}. Validates syntax and shape here; the TLS material itself (files
 * readable, key matching certificate, CRL signed by an anchor) is checked by
 * {@link jp.sekisho.gateway.tls.TlsMaterial#load}, with messages in the same form.
 */
public final class GatewayConfigLoader {

    private static final Set<String> TOP_KEYS = Set.of(
            "node-id",
            "data-dir",
            "tls",
            "listeners",
            "principals",
            "approvals",
            "store",
            "audit",
            "edge",
            "spool",
            "relay",
            "health",
            "report");
    private static final Set<String> APPROVALS_KEYS = Set.of("two-person-rule", "seal-key");
    private static final Set<String> TLS_KEYS = Set.of("certificate", "key", "trust-anchors", "crls", "provider");
    private static final Set<String> LISTENER_KEYS =
            Set.of("bind", "port", "allow", "admin", "proxy-protocol", "kind", "closed-network");
    private static final Set<String> PROXY_KEYS = Set.of("trusted");
    private static final Set<String> PRINCIPAL_KEYS = Set.of("subject", "sha256", "roles");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final String file;
    private final Path baseDir;

    private GatewayConfigLoader(Path source) {
        this.file = source.toString();
        Path parent = source.toAbsolutePath().normalize().getParent();
        this.baseDir = parent == null ? Path.of(".").toAbsolutePath() : parent;
    }

    public static GatewayConfig load(Path source) {
        return new GatewayConfigLoader(source).read(source);
    }

    private GatewayConfig read(Path source) {
        if (!Files.isRegularFile(source)) {
            throw new ConfigException(file + ": no such file");
        }
        Object doc;
        try (Reader r = Files.newBufferedReader(source, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            doc = new Yaml(new SafeConstructor(options)).load(r);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null
                    ? ""
                    : "line " + (e.getProblemMark().getLine() + 1) + ": ";
            throw new ConfigException(file + ": " + where + "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        if (doc == null) {
            throw new ConfigException(file + ": empty file");
        }
        Map<String, Object> root = strict(doc, "", TOP_KEYS);

        String nodeId = string(root, "node-id", "");
        if (!NAME.matcher(nodeId).matches()) {
            throw error(
                    "node-id", "'" + nodeId + "' must be lower-case letters, digits and '-', starting with a letter");
        }
        Path dataDir = root.containsKey("data-dir") ? path(string(root, "data-dir", "")) : baseDir.resolve("data");

        Map<String, Object> tlsMap = strict(required(root, "tls", ""), "tls", TLS_KEYS);
        GatewayConfig.Tls tls = new GatewayConfig.Tls(
                path(string(tlsMap, "certificate", "tls.")),
                path(string(tlsMap, "key", "tls.")),
                paths(tlsMap, "trust-anchors", "tls."),
                paths(tlsMap, "crls", "tls."),
                tlsProvider(tlsMap.get("provider")));

        Map<String, Object> lmap = map(required(root, "listeners", ""), "listeners");
        if (lmap.isEmpty()) {
            throw error("listeners", "at least one listener is needed");
        }
        Map<String, GatewayConfig.Listener> listeners = new LinkedHashMap<>();
        Map<Integer, String> ports = new LinkedHashMap<>();
        int index = 0;
        int admins = 0;
        for (Map.Entry<String, Object> e : lmap.entrySet()) {
            String name = e.getKey();
            String key = "listeners." + name;
            if (!NAME.matcher(name).matches()) {
                throw error(key, "listener name must be lower-case letters, digits and '-', starting with a letter");
            }
            GatewayConfig.Listener l = listener(index++, name, strict(e.getValue(), key, LISTENER_KEYS));
            if (l.port() != 0) {
                String other = ports.putIfAbsent(l.port(), name);
                if (other != null) {
                    throw error(key + ".port", l.port() + " is already used by listeners." + other);
                }
            }
            if (l.admin()) {
                admins++;
            }
            listeners.put(name, l);
        }
        if (admins != 1) {
            throw error(
                    "listeners",
                    admins == 0
                            ? "no listener has admin: true (exactly one must)"
                            : "more than one listener has admin: true (exactly one must)");
        }

        List<GatewayConfig.PrincipalRule> principals = new ArrayList<>();
        Object plist = root.get("principals");
        if (plist != null) {
            List<Object> items = list(plist, "principals");
            for (int i = 0; i < items.size(); i++) {
                String key = "principals[" + i + "]";
                principals.add(principal(strict(items.get(i), key, PRINCIPAL_KEYS), key));
            }
        }
        EdgeLimits.from(root.get("edge"), source); // checked here so a mistake stops the load, read by the gateway
        SpoolLimits.from(root.get("spool"), source); // the same
        HealthSettings.from(root.get("health"), source); // the same
        ReportSettings.from(root.get("report"), source); // the same
        RelayClientConfig.from(root.get("relay"), source, tls); // the same
        AuditConfig.check(root, file, ConfigException::new); // store: and audit:, read by the audit module
        return new GatewayConfig(
                source,
                nodeId,
                dataDir,
                tls,
                listeners,
                principals,
                approvals(root.get("approvals")),
                root.get("store"),
                root.get("audit"),
                root);
    }

    private GatewayConfig.Approvals approvals(Object value) {
        if (value == null) {
            return GatewayConfig.Approvals.DEFAULTS;
        }
        Map<String, Object> m = strict(value, "approvals", APPROVALS_KEYS);
        Object rule = m.get("two-person-rule");
        if (rule != null && !(rule instanceof Boolean)) {
            throw error("approvals.two-person-rule", "must be true or false, got '" + rule + "'");
        }
        Object key = m.get("seal-key");
        return new GatewayConfig.Approvals(!Boolean.FALSE.equals(rule), key == null ? null : path(String.valueOf(key)));
    }

    private GatewayConfig.TlsProvider tlsProvider(Object value) {
        if (value == null) {
            return GatewayConfig.TlsProvider.AUTO;
        }
        for (GatewayConfig.TlsProvider p : GatewayConfig.TlsProvider.values()) {
            if (p.name().toLowerCase(java.util.Locale.ROOT).equals(String.valueOf(value))) {
                return p;
            }
        }
        throw error("tls.provider", "must be auto, openssl or jdk, got '" + value + "'");
    }

    private GatewayConfig.Listener listener(int index, String name, Map<String, Object> m) {
        String key = "listeners." + name;
        String bind = m.containsKey("bind") ? scalar(m.get("bind"), key + ".bind") : "127.0.0.1";
        if (Cidr.parseAddress(bind) == null) {
            throw error(key + ".bind", "'" + bind + "' is not an IP address");
        }
        Object portObj = required(m, "port", key + ".");
        if (!(portObj instanceof Integer port) || port < 0 || port > 65535) {
            throw error(key + ".port", "'" + portObj + "' is not a port number (0-65535; 0 = any free port)");
        }
        List<Cidr> allow = cidrs(required(m, "allow", key + "."), key + ".allow");
        boolean admin = false;
        if (m.containsKey("admin")) {
            if (!(m.get("admin") instanceof Boolean b)) {
                throw error(key + ".admin", "'" + m.get("admin") + "' is not true or false");
            }
            admin = b;
        }
        List<Cidr> trusted = List.of();
        if (m.get("proxy-protocol") != null) {
            Map<String, Object> pp = strict(m.get("proxy-protocol"), key + ".proxy-protocol", PROXY_KEYS);
            trusted = cidrs(required(pp, "trusted", key + ".proxy-protocol."), key + ".proxy-protocol.trusted");
            if (trusted.isEmpty()) {
                throw error(key + ".proxy-protocol.trusted", "list the load balancers' addresses");
            }
        }
        boolean relay = false;
        if (m.containsKey("kind")) {
            String kind = scalar(m.get("kind"), key + ".kind");
            if (!kind.equals("relay") && !kind.equals("api")) {
                throw error(
                        key + ".kind",
                        "'" + kind
                                + "' is not a listener kind (api: the Sekisho API, the default; relay: one relay route's web traffic)");
            }
            relay = kind.equals("relay");
        }
        boolean closedNetwork = false;
        if (m.containsKey("closed-network")) {
            if (!(m.get("closed-network") instanceof Boolean b)) {
                throw error(key + ".closed-network", "'" + m.get("closed-network") + "' is not true or false");
            }
            closedNetwork = b;
        }
        if (relay && admin) {
            throw error(key, "a relay listener cannot be the admin listener");
        }
        if (relay && !trusted.isEmpty()) {
            throw error(key + ".proxy-protocol", "not supported on a relay listener");
        }
        return new GatewayConfig.Listener(index, name, bind, port, allow, admin, trusted, relay, closedNetwork);
    }

    private GatewayConfig.PrincipalRule principal(Map<String, Object> m, String key) {
        X500Principal subject = null;
        String sha = null;
        if (m.get("subject") != null) {
            String s = scalar(m.get("subject"), key + ".subject");
            try {
                subject = new X500Principal(s);
            } catch (IllegalArgumentException e) {
                throw error(key + ".subject", "'" + s + "' is not a distinguished name (RFC 4514, e.g. CN=name,O=org)");
            }
        }
        if (m.get("sha256") != null) {
            String s = scalar(m.get("sha256"), key + ".sha256");
            sha = s.replace(":", "").toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha).matches()) {
                throw error(key + ".sha256", "'" + s + "' is not a SHA-256 fingerprint (64 hex digits)");
            }
        }
        if (subject == null && sha == null) {
            throw error(key, "give subject or sha256 (or both)");
        }
        List<Object> roleList = list(required(m, "roles", key + "."), key + ".roles");
        if (roleList.isEmpty()) {
            throw error(key + ".roles", "at least one role is needed");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (int i = 0; i < roleList.size(); i++) {
            String r = scalar(roleList.get(i), key + ".roles[" + i + "]");
            Role role = Role.parse(r);
            if (role == null) {
                throw error(
                        key + ".roles[" + i + "]",
                        "'" + r + "' is not a role (sender, receiver, secretariat, auditor, operator)");
            }
            roles.add(role);
        }
        return new GatewayConfig.PrincipalRule(subject, sha, roles);
    }

    private List<Cidr> cidrs(Object value, String key) {
        List<Object> items = list(value, key);
        List<Cidr> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String text = String.valueOf(items.get(i));
            try {
                out.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw error(key + "[" + i + "]", "'" + text + "' " + e.getMessage());
            }
        }
        return out;
    }

    private List<Path> paths(Map<String, Object> m, String name, String prefix) {
        List<Object> items = list(required(m, name, prefix), prefix + name);
        if (items.isEmpty()) {
            throw error(prefix + name, "at least one file is needed");
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(path(scalar(items.get(i), prefix + name + "[" + i + "]")));
        }
        return out;
    }

    private Path path(String text) {
        return baseDir.resolve(text).normalize();
    }

    private Object required(Map<String, Object> m, String name, String prefix) {
        Object v = m.get(name);
        if (v == null) {
            throw error(prefix + name, "missing");
        }
        return v;
    }

    private String string(Map<String, Object> m, String name, String prefix) {
        return scalar(required(m, name, prefix), prefix + name);
    }

    private String scalar(Object v, String key) {
        if (v instanceof Map || v instanceof List || v == null) {
            throw error(key, "expected a single value");
        }
        return String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object v, String key) {
        if (!(v instanceof Map)) {
            throw error(key, "expected a mapping (key: value)");
        }
        for (Object k : ((Map<Object, Object>) v).keySet()) {
            if (!(k instanceof String)) {
                throw error(key, "key '" + k + "' is not a name");
            }
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object v, String key) {
        if (!(v instanceof List)) {
            throw error(key, "expected a list ([a, b])");
        }
        return (List<Object>) v;
    }

    /** The mapping at {@code path}, every key known ({@link StrictMap}: the one reader of every section). */
    private Map<String, Object> strict(Object v, String path, Set<String> known) {
        return StrictMap.of(v, file, path, known, ConfigException::new).values();
    }

    private ConfigException error(String key, String problem) {
        return new ConfigException(file + ": " + key + ": " + problem);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
