package jp.sekisho.gateway.relay;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;

/**
 * What a relay route must be, whichever way it arrives (the routes file, the CLI, the admin API and
 * its dry run), in the spirit of {@code RouteRules}: each problem names the field. The listener's
 * kind, the approval and the other routes are judged by {@code RouteService}, which knows them.
 */
public final class RelayRules {

    /** The methods a relay route may allow: the HTTP tokens a web system's pages and forms use. */
    public static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    public static final int MAX_TERMINALS = 64;
    public static final int MAX_CIDRS = 64;
    public static final int MAX_PATHS = 64;
    public static final int MAX_PATH_CHARS = 512;
    public static final int MAX_URL_CHARS = 2048;
    public static final int MAX_HOST_CHARS = 255;
    /** A CA bundle: a few certificates, not a whole trust store. */
    public static final int MAX_CA_PEM_CHARS = 256 * 1024;

    public static final long MAX_BODY = 64L << 30;
    public static final int MAX_RATE = 10_000;

    private static final Pattern SHA256 = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Pattern HOST_HEADER =
            Pattern.compile("([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");

    private RelayRules() {}

    /** The problems of {@code r}, each as {@code relay route ID: field: problem}; empty when it is valid. */
    public static List<String> problems(RelayRoute r) {
        List<String> p = new ArrayList<>();
        String at = "relay route " + (Ids.ROUTE.valid(r.id()) ? r.id() : "(invalid id)") + ": ";
        Ids.ROUTE.problem(r.id()).ifPresent(m -> p.add(at + "id: " + m));
        if (r.listener().isBlank()) {
            p.add(at + "listener: is required");
        } else {
            Fields.problem("listener", r.listener(), 64).ifPresent(m -> p.add(at + m));
        }
        Ids.APPROVAL_REF.problem(r.approvalRef()).ifPresent(m -> p.add(at + "approvalRef: " + m));
        terminals(p, at, r);
        upstream(p, at + "upstream.", r.upstream());
        limits(p, at, r.limits());
        return p;
    }

    private static void terminals(List<String> p, String at, RelayRoute r) {
        if (r.terminals().isEmpty()) {
            p.add(at + "terminals: needs at least one terminal");
        }
        if (r.terminals().size() > MAX_TERMINALS) {
            p.add(at + "terminals: more than " + MAX_TERMINALS);
            return;
        }
        for (int i = 0; i < r.terminals().size(); i++) {
            RelayRoute.Terminal t = r.terminals().get(i);
            String tat = at + "terminals[" + i + "]";
            Fields.problem(tat + ".subject", t.subject(), Fields.NAME).ifPresent(p::add);
            if (t.sha256() != null
                    && !t.sha256().isBlank()
                    && !SHA256.matcher(t.sha256()).matches()) {
                p.add(tat + ".sha256: must be 64 hex digits");
            }
            if (r.mode() == TerminalMode.MTLS && !t.namesCertificate()) {
                p.add(tat + ": with terminal-mode mtls a terminal needs subject or sha256");
            }
            if (r.mode() != TerminalMode.MTLS && t.namesCertificate()) {
                p.add(tat + ": with terminal-mode " + r.mode().yaml()
                        + " terminals present no certificate: give only allow (or use mtls)");
            }
            if (t.allow().isEmpty()) {
                p.add(tat + ".allow: needs at least one source CIDR");
            }
            if (t.allow().size() > MAX_CIDRS) {
                p.add(tat + ".allow: more than " + MAX_CIDRS + " CIDRs");
                continue;
            }
            for (int j = 0; j < t.allow().size(); j++) {
                String cidr = t.allow().get(j);
                if (!isCidr(cidr)) {
                    p.add(tat + ".allow[" + j + "]: '" + clip(cidr) + "' is not a CIDR");
                }
            }
        }
    }

    private static void upstream(List<String> p, String at, Upstream u) {
        URI url = u.url();
        String text = url.toString();
        if (text.length() > MAX_URL_CHARS) {
            p.add(at + "url: longer than " + MAX_URL_CHARS + " characters");
            return;
        }
        String scheme = url.getScheme();
        if (!url.isAbsolute() || !("https".equals(scheme) || "http".equals(scheme))) {
            p.add(at + "url: '" + clip(text) + "' is not an absolute https:// or http:// URL");
            return;
        }
        if (url.getRawAuthority() == null || url.getHost() == null) {
            p.add(at + "url: names no host (https://host:port)");
        }
        if (url.getRawUserInfo() != null) {
            p.add(at + "url: must not hold user info (user@)");
        }
        String path = url.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            p.add(at + "url: must not hold a path (the terminal's path is sent as is): scheme, host and port only");
        }
        if (url.getRawQuery() != null) {
            p.add(at + "url: must not hold a query");
        }
        if (url.getRawFragment() != null) {
            p.add(at + "url: must not hold a fragment");
        }
        if (url.getPort() == 0 || url.getPort() > 65535) {
            p.add(at + "url: port must be 1 to 65535");
        }
        if (u.host() != null
                && (u.host().length() > MAX_HOST_CHARS
                        || !HOST_HEADER.matcher(u.host()).matches())) {
            p.add(at + "host: '" + clip(u.host()) + "' is not a host name or host:port");
        }
        if ("https".equals(scheme)) {
            String ca = caProblem(u.caPem());
            if (ca != null) {
                p.add(at + "ca: " + ca);
            }
        } else {
            if (!u.closedNetwork()) {
                p.add(at + "url: http:// only with closed-network: true (the operator's statement that the upstream "
                        + "sits on a closed network); otherwise use https:// with ca");
            }
            if (u.caPem() != null) {
                p.add(at + "ca: only for an https:// upstream");
            }
        }
    }

    /** Why a PEM text is not a bundle holding at least one CA certificate, or null. */
    public static String caProblem(String pem) {
        if (pem == null || pem.isBlank()) {
            return "an https:// upstream needs ca (the PEM file of the CA its certificate chains to)";
        }
        if (pem.length() > MAX_CA_PEM_CHARS || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            return "is not a PEM file of CA certificates";
        }
        try {
            var certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            boolean anyCa =
                    certs.stream().anyMatch(c -> c instanceof X509Certificate x && x.getBasicConstraints() >= 0);
            return anyCa ? null : "holds no CA certificate (basicConstraints CA:true)";
        } catch (CertificateException | RuntimeException e) {
            return "is not a parseable PEM file of X.509 certificates";
        }
    }

    private static void limits(List<String> p, String at, RelayLimits l) {
        if (l.methods().isEmpty()) {
            p.add(at + "methods: needs at least one method");
        }
        for (String m : l.methods()) {
            if (!METHODS.contains(m)) {
                p.add(at + "methods: '" + clip(m) + "' is not one of " + String.join(", ", sorted(METHODS)));
            }
        }
        if (l.pathPrefixes().isEmpty()) {
            p.add(at + "paths: needs at least one path prefix (/ for all)");
        }
        if (l.pathPrefixes().size() > MAX_PATHS) {
            p.add(at + "paths: more than " + MAX_PATHS);
        } else {
            for (int i = 0; i < l.pathPrefixes().size(); i++) {
                String problem = pathProblem(l.pathPrefixes().get(i));
                if (problem != null) {
                    p.add(at + "paths[" + i + "]: " + problem);
                }
            }
        }
        if (l.maxBodyBytes() < 1 || l.maxBodyBytes() > MAX_BODY) {
            p.add(at + "max-body: must be 1 byte to 64GiB");
        }
        if (l.requestsPerSecond() < 0 || l.requestsPerSecond() > MAX_RATE) {
            p.add(at + "rate: must be 0 (no limit) to " + MAX_RATE + " requests per second");
        }
    }

    /** Why a path prefix is not one (starts with "/", no "..", "//", "?", "#", space or control), or null. */
    static String pathProblem(String path) {
        if (path == null || !path.startsWith("/")) {
            return "must start with /";
        }
        if (path.length() > MAX_PATH_CHARS) {
            return "longer than " + MAX_PATH_CHARS + " characters";
        }
        if (path.contains("..")
                || path.contains("//")
                || path.contains("?")
                || path.contains("#")
                || path.contains("\\")) {
            return "'" + clip(path) + "' must not hold .., //, ?, # or \\";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT || Character.isISOControl(c)) {
                return "holds a space, control character or invisible mark at " + i;
            }
        }
        return null;
    }

    private static boolean isCidr(String text) {
        try {
            Cidr.parse(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    /** A value quoted in a problem: short, and without controls. */
    private static String clip(String s) {
        String c = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
