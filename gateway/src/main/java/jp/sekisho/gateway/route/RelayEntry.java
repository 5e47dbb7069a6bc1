package jp.sekisho.gateway.route;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import jp.sekisho.certs.Pem;
import jp.sekisho.gateway.relay.OpeningHours;
import jp.sekisho.gateway.relay.RelayLimits;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.relay.RelayRules;
import jp.sekisho.gateway.relay.RelaySpec;
import jp.sekisho.gateway.relay.TerminalMode;
import jp.sekisho.gateway.relay.Upstream;

/**
 * One {@code kind: relay} entry of a routes file. Unlike a batch entry, every key is known or the
 * entry is refused naming it: a misspelt {@code metods:} must not silently allow every method.
 * <pre>
 *   - id: kurume-payroll-web
 *     kind: relay
 *     listener: payroll-web           # a kind: relay listener of gateway.yml
 *     approval: 2総政第158号
 *     terminal-mode: tls              # mtls | tls | http
 *     terminals: [{ allow: [127.0.0.1/32] }]   # with mtls: subject and/or sha256 as well
 *     upstream: { url: https://127.0.0.1:8443, ca: certs/upstream-ca.pem, host: payroll.example, closed-network: false }
 *     methods: [GET, HEAD, POST]      # default
 *     paths: [/]                      # default
 *     max-body: 100MiB                # default
 *     rate: 0                         # per terminal address per second, 0 = no limit (default)
 *     hours: { days: [mon, tue, wed, thu, fri], from: "08:30", to: "18:00" }   # optional, Asia/Tokyo
 *     websocket: false                # default
 * </pre>
 */
final class RelayEntry {

    static final Set<String> KEYS = keys(
            "id",
            "kind",
            "listener",
            "approval",
            "terminal-mode",
            "terminals",
            "upstream",
            "methods",
            "paths",
            "max-body",
            "rate",
            "hours",
            "websocket");
    static final Set<String> TERMINAL_KEYS = keys("subject", "sha256", "allow");
    static final Set<String> UPSTREAM_KEYS = keys("url", "ca", "host", "closed-network");
    static final Set<String> HOURS_KEYS = keys("days", "from", "to");

    private final BiFunction<String, String, RouteFile.Invalid> invalid;
    private final Path file;

    RelayEntry(BiFunction<String, String, RouteFile.Invalid> invalid, Path file) {
        this.invalid = invalid;
        this.file = file;
    }

    RelayRoute relay(Map<?, ?> m, String at) {
        known(m, at, KEYS);
        String id = text(m, "id", at, true);
        TerminalMode mode;
        try {
            mode = RelaySpec.mode(text(m, "terminal-mode", at, true));
        } catch (IllegalArgumentException e) {
            throw invalid.apply(at + ".terminal-mode", e.getMessage());
        }
        RelayRoute r = new RelayRoute(
                id,
                text(m, "listener", at, true),
                text(m, "approval", at, true),
                mode,
                terminals(m.get("terminals"), at + ".terminals"),
                upstream(m.get("upstream"), at + ".upstream"),
                limits(m, at));
        List<String> problems = RelayRules.problems(r); // the same rules as the admin API's
        if (!problems.isEmpty()) {
            throw invalid.apply(at, problems.get(0));
        }
        return r;
    }

    private List<RelayRoute.Terminal> terminals(Object o, String at) {
        if (!(o instanceof List<?> list) || list.isEmpty()) {
            throw invalid.apply(at, "needs at least one terminal");
        }
        if (list.size() > RelayRules.MAX_TERMINALS) {
            throw invalid.apply(at, "more than " + RelayRules.MAX_TERMINALS + " terminals");
        }
        List<RelayRoute.Terminal> terminals = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String tat = at + "[" + i + "]";
            Map<?, ?> t = map(list.get(i), tat);
            known(t, tat, TERMINAL_KEYS);
            terminals.add(new RelayRoute.Terminal(
                    text(t, "subject", tat, false),
                    text(t, "sha256", tat, false),
                    strings(t.get("allow"), tat + ".allow", RelayRules.MAX_CIDRS, "source CIDR")));
        }
        return terminals;
    }

    private Upstream upstream(Object o, String at) {
        Map<?, ?> m = map(o, at);
        known(m, at, UPSTREAM_KEYS);
        String url = text(m, "url", at, true);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid.apply(at + ".url", "'" + url + "' is not a URL");
        }
        String ca = null;
        String caFile = text(m, "ca", at, false);
        if (caFile != null) {
            ca = caPem(caFile, at + ".ca");
        }
        return new Upstream(uri, ca, text(m, "host", at, false), flag(m, "closed-network", at, false));
    }

    /** The CA certificates of a PEM file, relative to the routes file, as PEM text (stored and pinned as read). */
    private String caPem(String name, String at) {
        Path p = file.toAbsolutePath().getParent().resolve(name);
        try {
            if (Files.isRegularFile(p) && Files.size(p) > RelayRules.MAX_CA_PEM_CHARS) {
                throw invalid.apply(at, p + " is larger than " + RelayRules.MAX_CA_PEM_CHARS + " bytes");
            }
            List<X509Certificate> certs = Pem.readCertificates(p);
            if (certs.isEmpty()) {
                throw invalid.apply(at, p + " holds no certificate");
            }
            String pem = Pem.encode(certs.toArray());
            String problem = RelayRules.caProblem(pem);
            if (problem != null) {
                throw invalid.apply(at, p + " " + problem);
            }
            return pem;
        } catch (java.io.IOException | RuntimeException e) { // PkiException too
            if (e instanceof RouteFile.Invalid i) {
                throw i;
            }
            throw invalid.apply(at, e.getMessage());
        }
    }

    private RelayLimits limits(Map<?, ?> m, String at) {
        Set<String> methods = RelayLimits.DEFAULT_METHODS;
        if (m.containsKey("methods")) {
            methods = new LinkedHashSet<>(strings(m.get("methods"), at + ".methods", 16, "method"));
            for (String method : methods) {
                if (!RelayRules.METHODS.contains(method)) {
                    throw invalid.apply(
                            at + ".methods",
                            "'" + method + "' is not one of "
                                    + String.join(
                                            ", ",
                                            RelayRules.METHODS.stream().sorted().toList()));
                }
            }
        }
        List<String> paths = m.containsKey("paths")
                ? strings(m.get("paths"), at + ".paths", RelayRules.MAX_PATHS, "path prefix")
                : RelayLimits.DEFAULT_PATHS;
        long maxBody = RelayLimits.DEFAULT_MAX_BODY;
        if (m.get("max-body") != null) {
            try {
                maxBody = Sizes.parseSize(String.valueOf(m.get("max-body")));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw invalid.apply(at + ".max-body", e.getMessage());
            }
        }
        int rate = 0;
        if (m.containsKey("rate")) {
            if (!(m.get("rate") instanceof Integer n)) {
                throw invalid.apply(at + ".rate", "must be a whole number of requests per second (0 = no limit)");
            }
            rate = n;
        }
        OpeningHours hours = m.containsKey("hours") ? hours(m.get("hours"), at + ".hours") : null;
        return new RelayLimits(methods, paths, maxBody, rate, hours, flag(m, "websocket", at, false));
    }

    private OpeningHours hours(Object o, String at) {
        Map<?, ?> m = map(o, at);
        known(m, at, HOURS_KEYS);
        List<String> days = strings(m.get("days"), at + ".days", 7, "day");
        try {
            LocalTime from = time(m.get("from"), at + ".from");
            LocalTime to = time(m.get("to"), at + ".to");
            return new OpeningHours(RelaySpec.daySet(days), from, to);
        } catch (IllegalArgumentException e) { // a day twice, from = to
            throw invalid.apply(at, e.getMessage());
        }
    }

    private LocalTime time(Object v, String at) {
        if (!(v instanceof String s)) {
            // YAML 1.1 reads an unquoted 18:00 as the number 1080 (base 60)
            throw invalid.apply(at, v == null ? "is required" : "write the time in quotes, e.g. \"08:30\"");
        }
        try {
            return RelaySpec.time(s);
        } catch (IllegalArgumentException e) {
            throw invalid.apply(at, e.getMessage());
        }
    }

    private void known(Map<?, ?> m, String at, Set<String> keys) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String s) || !keys.contains(s)) {
                throw invalid.apply(at + "." + k, "unknown key (a relay route knows " + String.join(", ", keys) + ")");
            }
        }
    }

    private List<String> strings(Object o, String at, int max, String what) {
        if (!(o instanceof List<?> list) || list.isEmpty()) {
            throw invalid.apply(at, "needs at least one " + what);
        }
        if (list.size() > max) {
            throw invalid.apply(at, "more than " + max + " entries");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isBlank()) {
                throw invalid.apply(at + "[" + i + "]", "expected a " + what);
            }
            out.add(s.trim());
        }
        return out;
    }

    private boolean flag(Map<?, ?> m, String key, String at, boolean dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw invalid.apply(at + "." + key, "must be true or false");
        }
        return b;
    }

    private Map<?, ?> map(Object o, String at) {
        if (!(o instanceof Map<?, ?> m)) {
            throw invalid.apply(at, "expected a mapping");
        }
        return m;
    }

    private String text(Map<?, ?> m, String key, String at, boolean required) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            if (required) {
                throw invalid.apply(at + "." + key, "is required");
            }
            return null;
        }
        if (!(v instanceof String) && !(v instanceof Number)) {
            throw invalid.apply(at + "." + key, "expected text");
        }
        return String.valueOf(v).trim();
    }

    private static Set<String> keys(String... keys) {
        return new java.util.TreeSet<>(List.of(keys));
    }
}
