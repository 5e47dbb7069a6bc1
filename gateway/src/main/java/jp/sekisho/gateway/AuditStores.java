package jp.sekisho.gateway;

import java.io.IOException;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.GatewayConfig;

/**
 * Opens the audit store the configuration describes ({@code store}/{@code audit} sections, read by
 * the audit module from the same file): embedded PostgreSQL under {@code data-dir} by default.
 */
public final class AuditStores {

    private AuditStores() {}

    /**
     * @throws ConfigException for a malformed store/audit section
     * @throws jp.sekisho.audit.AuditUnavailableException when the database cannot be started or reached
     */
    public static AuditStore open(GatewayConfig config) {
        AuditConfig ac;
        try {
            ac = AuditConfig.fromGatewayYaml(config.source());
        } catch (IOException | IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String prefix = config.source() + ": ";
            throw new ConfigException(
                    m.startsWith(prefix) || m.startsWith(config.source().toAbsolutePath() + ": ") ? m : prefix + m);
        }
        return AuditStore.open(ac);
    }
}
