package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.identity.Role;

/**
 * The gateway's configuration, parsed and validated from one YAML file (see docs/gateway-config.md).
 * Paths are absolute (resolved against the file's folder). {@code store} and {@code audit} are
 * owned by the audit module and passed through untouched.
 *
 * @param source    the file as named by the operator (used in messages)
 * @param raw       the whole parsed document, for modules that read their own sections
 */
public record GatewayConfig(
        Path source,
        String nodeId,
        Path dataDir,
        Tls tls,
        Map<String, Listener> listeners,
        List<PrincipalRule> principals,
        Approvals approvals,
        Object store,
        Object audit,
        Map<String, Object> raw) {

    /**
     * The secretariat's rules. {@code twoPersonRule}: a decision that lets data flow takes effect
     * only when a second secretariat member confirms it; on unless a single-person office turns it off.
     */
    /**
     * @param sealKey the policy seal key file (HMAC); null means {@code data-dir/policy-seal.key}.
     *                Every node of one installation needs the same key.
     */
    public record Approvals(boolean twoPersonRule, Path sealKey) {
        public static final Approvals DEFAULTS = new Approvals(true, null);

        public Path sealKeyIn(Path dataDir) {
            return sealKey != null ? sealKey : dataDir.resolve("policy-seal.key");
        }
    }

    public GatewayConfig {
        listeners = Map.copyOf(listeners);
        principals = List.copyOf(principals);
    }

    /** Listeners in file order. */
    public List<Listener> listenerList() {
        return listeners.values().stream()
                .sorted((a, b) -> Integer.compare(a.index(), b.index()))
                .toList();
    }

    /** @param provider whose TLS implementation the listeners use ({@code tls.provider}) */
    public record Tls(Path certificate, Path key, List<Path> trustAnchors, List<Path> crls, TlsProvider provider) {
        public Tls {
            trustAnchors = List.copyOf(trustAnchors);
            crls = List.copyOf(crls);
        }
    }

    /**
     * {@code openssl}: BoringSSL (netty-tcnative), about a third less CPU per uploaded GiB;
     * {@code jdk}: the JDK's SSLEngine; {@code auto} (the default): BoringSSL where it loads.
     */
    public enum TlsProvider {
        AUTO,
        OPENSSL,
        JDK
    }

    /**
     * One listener.
     *
     * @param index        position in the file (listeners keep file order)
     * @param proxyTrusted  peers allowed to send a PROXY protocol header; empty = PROXY not accepted
     * @param relay         {@code kind: relay}: the listener carries one relay route's web traffic
     *                      (docs/relay.md), not the Sekisho API, and is served by the relay, not Micronaut
     * @param closedNetwork the operator's statement that this listener sits inside a closed network
     *                      (LGWAN, a city hall segment): only then may a relay route on it take plain HTTP
     */
    public record Listener(
            int index,
            String name,
            String bind,
            int port,
            List<Cidr> allow,
            boolean admin,
            List<Cidr> proxyTrusted,
            boolean relay,
            boolean closedNetwork) {
        public Listener {
            allow = List.copyOf(allow);
            proxyTrusted = List.copyOf(proxyTrusted);
        }

        /** A listener of the Sekisho API (transfers, or admin): served by Micronaut. */
        public Listener(
                int index,
                String name,
                String bind,
                int port,
                List<Cidr> allow,
                boolean admin,
                List<Cidr> proxyTrusted) {
            this(index, name, bind, port, allow, admin, proxyTrusted, false, false);
        }
    }

    /**
     * Who holds which roles: a certificate matches when every given criterion matches (subject DN
     * compared canonically as X.500 names, sha256 fingerprint in lower-case hex).
     */
    public record PrincipalRule(X500Principal subject, String sha256, Set<Role> roles) {
        public PrincipalRule {
            roles = Set.copyOf(roles);
        }
    }
}
