package jp.sekisho.gateway.route;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.config.StrictMap;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.gateway.relay.RelayRoute;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a routes file (routes.yml). Errors name the file, the key path and the problem:
 * {@code routes.yml: routes[0].senders[1]: needs subject or sha256}.
 * <pre>
 * routes:
 *   - id: kurume-benefit
 *     listener: transfer
 *     approval: 2総政第158号
 *     senders:   [{ subject: "CN=city-sender,O=Kurume City", allow: [127.0.0.1/32] }]
 *     receivers: [{ subject: "CN=contractor,O=Contractor K.K.", allow: [127.0.0.1/32] }]
 *     recipients: [certs/contractor-enc.pem]     # relative to this file
 *     max-payload: 2GiB                          # default 2GiB
 *     retention: 7d                              # default 7d
 *     allow-cbc: false                           # default false
 *     compression: true                          # default true; false when the contractor opens with stock openssl
 *   - id: kurume-payroll-web
 *     kind: relay                                # see {@link RelayEntry}
 *     ...
 * </pre>
 */
public final class RouteFile {

    public static final long DEFAULT_MAX_PAYLOAD = 2L << 30;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    /** A problem in the file; the message is the one line to show. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    private static final Set<String> TOP_KEYS = Set.of("routes");
    private static final Set<String> BATCH_KEYS = Set.of(
            "id",
            "kind",
            "listener",
            "approval",
            "senders",
            "receivers",
            "recipients",
            "max-payload",
            "retention",
            "allow-cbc",
            "compression");
    private static final Set<String> PARTY_KEYS = Set.of("subject", "sha256", "allow");

    private final Path file;

    private RouteFile(Path file) {
        this.file = file;
    }

    /** Both kinds of route in the file. */
    public static RouteSet read(Path file) {
        return new RouteFile(file).parse();
    }

    private RouteSet parse() {
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false); // a key given twice is a mistake, not "the last one wins"
            root = new Yaml(new SafeConstructor(options)).load(r);
        } catch (NoSuchFileException e) {
            throw new Invalid(file + ": no such file");
        } catch (IOException e) {
            throw new Invalid(file + ": cannot read: " + e.getMessage());
        } catch (YAMLException e) {
            throw new Invalid(file + ": not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("routes") instanceof List<?> list)) {
            throw new Invalid(file + ": expected a top-level 'routes:' list");
        }
        strict(top, "", TOP_KEYS);
        List<Route> routes = new ArrayList<>();
        List<RelayRoute> relays = new ArrayList<>();
        Set<String> ids = new HashSet<>(); // one id space for both kinds
        for (int i = 0; i < list.size(); i++) {
            String at = "routes[" + i + "]";
            String id;
            if (isRelay(list.get(i), at)) {
                RelayRoute r = new RelayEntry(this::invalid, file).relay(map(list.get(i), at), at);
                relays.add(r);
                id = r.id();
            } else {
                Route r = route(list.get(i), at);
                routes.add(r);
                id = r.id();
            }
            if (!ids.add(id)) {
                throw invalid(at + ".id", "'" + id + "' appears twice");
            }
        }
        return new RouteSet(routes, relays);
    }

    /** {@code kind: relay}; absent or {@code batch} is a batch route (today's routes). */
    private boolean isRelay(Object o, String at) {
        if (!(o instanceof Map<?, ?> m) || !m.containsKey("kind")) {
            return false;
        }
        Object kind = m.get("kind");
        if ("relay".equals(kind)) {
            return true;
        }
        if ("batch".equals(kind)) {
            return false;
        }
        throw invalid(at + ".kind", "'" + kind + "' is not a route kind (batch, the default, or relay)");
    }

    private Route route(Object o, String at) {
        Map<?, ?> m = strict(o, at, BATCH_KEYS);
        String id = text(m, "id", at, true);
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw invalid(at + ".id", "'" + id + "' must be lower-case letters, digits and '-'");
        }
        long maxPayload = DEFAULT_MAX_PAYLOAD;
        Duration retention = DEFAULT_RETENTION;
        try {
            if (m.get("max-payload") != null) {
                maxPayload = Sizes.parseSize(String.valueOf(m.get("max-payload")));
            }
            if (m.get("retention") != null) {
                retention = Sizes.parseDuration(String.valueOf(m.get("retention")));
            }
        } catch (IllegalArgumentException e) {
            throw invalid(at, e.getMessage());
        }
        Object cbc = m.get("allow-cbc");
        if (cbc != null && !(cbc instanceof Boolean)) {
            throw invalid(at + ".allow-cbc", "must be true or false");
        }
        Object compression = m.get("compression");
        if (compression != null && !(compression instanceof Boolean)) {
            throw invalid(at + ".compression", "must be true or false");
        }
        Route route = new Route(
                id,
                text(m, "listener", at, true),
                text(m, "approval", at, true),
                parties(m.get("senders"), at + ".senders"),
                parties(m.get("receivers"), at + ".receivers"),
                recipients(m.get("recipients"), at + ".recipients"),
                maxPayload,
                retention,
                Boolean.TRUE.equals(cbc),
                !Boolean.FALSE.equals(compression));
        List<String> problems = RouteRules.problems(route); // the same rules as the admin API's
        if (!problems.isEmpty()) {
            throw invalid(at, problems.get(0));
        }
        return route;
    }

    private List<Party> parties(Object o, String at) {
        if (!(o instanceof List<?> list) || list.isEmpty()) {
            throw invalid(at, "needs at least one entry");
        }
        List<Party> parties = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String pat = at + "[" + i + "]";
            Map<?, ?> m = strict(list.get(i), pat, PARTY_KEYS);
            String subject = text(m, "subject", pat, false);
            String sha256 = text(m, "sha256", pat, false);
            if (subject == null && sha256 == null) {
                throw invalid(pat, "needs subject or sha256");
            }
            if (!(m.get("allow") instanceof List<?> allow) || allow.isEmpty()) {
                throw invalid(pat + ".allow", "needs at least one source CIDR");
            }
            parties.add(new Party(
                    subject, sha256, allow.stream().map(String::valueOf).toList()));
        }
        return parties;
    }

    private List<String> recipients(Object o, String at) {
        if (!(o instanceof List<?> list) || list.isEmpty()) {
            throw invalid(at, "needs at least one recipient certificate file");
        }
        List<String> pems = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Path p = file.toAbsolutePath().getParent().resolve(String.valueOf(list.get(i)));
            try {
                X509Certificate c = Pem.readCertificate(p);
                boolean[] ku = c.getKeyUsage();
                if (ku != null && !ku[2] && !ku[4]) {
                    throw invalid(
                            at + "[" + i + "]",
                            p + " is not an encryption certificate (needs keyEncipherment or keyAgreement)");
                }
                pems.add(Pem.encode(c));
            } catch (PkiException e) {
                throw invalid(at + "[" + i + "]", e.getMessage());
            }
        }
        return pems;
    }

    /** A mapping whose keys must all be known, read as gateway.yml's sections are ({@link StrictMap}). */
    private Map<?, ?> strict(Object o, String at, Set<String> known) {
        return StrictMap.of(o, file.getFileName().toString(), at, known, Invalid::new)
                .values();
    }

    private Map<?, ?> map(Object o, String at) {
        if (!(o instanceof Map<?, ?> m)) {
            throw invalid(at, "expected a mapping");
        }
        return m;
    }

    private String text(Map<?, ?> m, String key, String at, boolean required) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            if (required) {
                throw invalid(at + "." + key, "is required");
            }
            return null;
        }
        return String.valueOf(v).trim();
    }

    Invalid invalid(String at, String problem) {
        return new Invalid(file.getFileName() + ": " + at + ": " + problem);
    }
}
