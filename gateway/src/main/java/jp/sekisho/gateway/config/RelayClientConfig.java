package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.config.StrictMap;

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
        StrictMap strict = StrictMap.of(section, file.toString(), "relay", KEYS, ConfigException::new);
        Map<String, Object> m = strict.values();
        Object cert = m.get("client-certificate");
        Object key = m.get("client-key");
        if ((cert == null) != (key == null)) {
            throw new ConfigException(file + ": relay." + (cert == null ? "client-certificate" : "client-key")
                    + ": missing (give client-certificate and client-key together)");
        }
        if (cert == null) {
            return new RelayClientConfig(tls.certificate(), tls.key());
        }
        KEYS.forEach(k -> strict.text(k, null)); // a mapping or list where a file name belongs is an error
        Path base = file.toAbsolutePath().normalize().getParent();
        base = base == null ? Path.of(".").toAbsolutePath() : base;
        return new RelayClientConfig(
                base.resolve(String.valueOf(cert)).normalize(),
                base.resolve(String.valueOf(key)).normalize());
    }
}
