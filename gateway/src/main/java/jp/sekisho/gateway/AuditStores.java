package jp.sekisho.gateway;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.HealthSettings;

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
        return AuditStore.open(auditConfig(config));
    }

    /**
     * The audit module's view of the file, with the ports this gateway binds after the store is up (its
     * listeners and health endpoint) kept from the embedded PostgreSQL.
     */
    static AuditConfig auditConfig(GatewayConfig config) {
        AuditConfig ac;
        try {
            ac = AuditConfig.fromGatewayYaml(config.source());
        } catch (IOException | IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String prefix = config.source() + ": ";
            throw new ConfigException(
                    m.startsWith(prefix) || m.startsWith(config.source().toAbsolutePath() + ": ") ? m : prefix + m);
        }
        return new AuditConfig(ac.store().withPortsKeptFree(ownPorts(config)), ac.audit(), ac.dataDir());
    }

    /** The fixed ports in the file; a port 0 is chosen after the store runs, so it cannot be the store's. */
    static Set<Integer> ownPorts(GatewayConfig config) {
        Set<Integer> ports = new TreeSet<>();
        for (GatewayConfig.Listener l : config.listenerList()) {
            ports.add(l.port());
        }
        HealthSettings health = HealthSettings.from(config.raw().get("health"), config.source());
        if (health != null) {
            ports.add(health.port());
        }
        ports.remove(0);
        return ports;
    }
}
