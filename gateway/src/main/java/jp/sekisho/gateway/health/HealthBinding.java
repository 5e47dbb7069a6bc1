package jp.sekisho.gateway.health;

import java.time.Clock;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.HealthSettings;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.policy.PolicyServices;
import jp.sekisho.gateway.tls.CrlStore;
import jp.sekisho.gateway.transfer.TransferService;

/** Starts the health endpoint from the gateway's parts when {@code health:} is configured. */
public final class HealthBinding {

    private HealthBinding() {}

    /** @return the running endpoint, or null when the configuration has no {@code health:} section */
    public static HealthServer start(
            GatewayConfig config,
            CrlStore crls,
            AuditStore store,
            PolicyServices policy,
            TransferService transfers,
            Clock clock,
            Metrics metrics,
            ConnectionAudit refusals) {
        HealthSettings settings = HealthSettings.from(config.raw().get("health"), config.source());
        if (settings == null) {
            return null;
        }
        HealthState state = new HealthState(
                crls,
                store.postgresLog()::isAvailable,
                () -> policy.watcher().current().loadedAt(),
                transfers::spoolAvailable,
                clock);
        return HealthServer.start(settings, state, config.nodeId(), metrics, refusals);
    }
}
