package jp.sekisho.gateway;

import java.io.IOException;

import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.GatewayConfig;

/**
 * Opens the audit store the configuration describes ({@code store}/{@code audit} sections, read by
 * the audit module from the same file): embedded PostgreSQL under {@code data-dir} by default.
 */
public final class AuditStores {

    private AuditStores() {
    }

    /** An open store: its log for the gateway, and how to close it after the gateway stopped. */
    public record Opened(AuditLog log, AutoCloseable closer) {
        public void close() {
            try {
                closer.close();
            } catch (Exception e) {
                // closing at shutdown: nothing more to do
            }
        }
    }

    /**
     * @throws ConfigException for a malformed store/audit section
     * @throws jp.sekisho.audit.AuditUnavailableException when the database cannot be started or reached
     */
    public static Opened open(GatewayConfig config) {
        AuditConfig ac;
        try {
            ac = AuditConfig.fromGatewayYaml(config.source());
        } catch (IOException | IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String prefix = config.source() + ": ";
            throw new ConfigException(m.startsWith(prefix) || m.startsWith(config.source().toAbsolutePath() + ": ")
                    ? m : prefix + m);
        }
        AuditStore store = AuditStore.open(ac);
        return new Opened(store.log(), store);
    }
}
