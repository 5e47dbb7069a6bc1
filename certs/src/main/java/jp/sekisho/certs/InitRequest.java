package jp.sekisho.certs;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code certs init} makes: a CA in {@code dir} plus the gateway's server certificate.
 *
 * @param passphrase protects the CA key when non-empty; null or empty writes it unencrypted
 */
public record InitRequest(
        Path dir, String org, int days, List<String> dns, List<String> ips, char[] passphrase, boolean force) {

    public static final String DEFAULT_ORG = "Sekisho";
    public static final int DEFAULT_CA_DAYS = 3650;

    public InitRequest {
        dns = List.copyOf(dns);
        ips = List.copyOf(ips);
        if (days < 1) {
            throw new PkiException("--days must be at least 1, got " + days);
        }
    }

    public static InitRequest defaults(Path dir) {
        return new InitRequest(
                dir, DEFAULT_ORG, DEFAULT_CA_DAYS, List.of("localhost"), List.of("127.0.0.1"), null, false);
    }
}
