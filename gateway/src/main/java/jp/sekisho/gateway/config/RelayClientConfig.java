package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The optional {@code relay:} section: the certificate and key the gateway presents to relay
 * routes' upstreams (docs/relay.md). Both default to {@code tls.certificate} and {@code tls.key};
 * an upstream that checks its clients wants the clientAuth usage, which the gateway's server
 * certificate does not have, so a deployment usually names a client certificate here.
 */
public record RelayClientConfig(Path certificate, Path key) {

    private static final Set<String> KEYS = Set.of("client-certificate", "client-key");

    /** Reads the section (null: the defaults); a mistake is a {@link ConfigException} naming the key. */
    public static RelayClientConfig from(Object section, Path file, GatewayConfig.Tls tls) {
        if (section == null) {
            return new RelayClientConfig(tls.certificate(), tls.key());
        }
        if (!(section instanceof Map<?, ?> m)) {
            throw new ConfigException(file + ": relay: expected a mapping (key: value)");
        }
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new ConfigException(file + ": relay." + k + ": unknown key (expected one of "
                        + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        Object cert = m.get("client-certificate");
        Object key = m.get("client-key");
        if ((cert == null) != (key == null)) {
            throw new ConfigException(file + ": relay." + (cert == null ? "client-certificate" : "client-key")
                    + ": missing (give client-certificate and client-key together)");
        }
        if (cert == null) {
            return new RelayClientConfig(tls.certificate(), tls.key());
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof Map || e.getValue() instanceof java.util.List) {
                throw new ConfigException(file + ": relay." + e.getKey() + ": expected a single value");
            }
        }
        Path base = file.toAbsolutePath().normalize().getParent();
        base = base == null ? Path.of(".").toAbsolutePath() : base;
        return new RelayClientConfig(
                base.resolve(String.valueOf(cert)).normalize(),
                base.resolve(String.valueOf(key)).normalize());
    }
}
