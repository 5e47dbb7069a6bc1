package jp.sekisho.gateway.relay;

import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.micronaut.scheduling.TaskExecutors;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.RelayClientConfig;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.EdgeContext;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.identity.RoleMapper;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.tls.ClientCertificateChecker;
import jp.sekisho.gateway.tls.TlsContexts;
import jp.sekisho.gateway.tls.TlsMaterial;
import jp.sekisho.gateway.tls.TlsSessionHandler;

/**
 * Wires the relay from the gateway's parts: its edge, TLS material, audit log, policy watcher and
 * executors. Kept apart from {@code Gateway.start}, which only says when it happens.
 */
public final class RelayBinding {

    private RelayBinding() {}

    /** Binds the relay listeners (none: null), with the gateway's edge, TLS material, audit and policy. */
    public static RelayServer start(
            GatewayConfig config,
            ApplicationContext ctx,
            TlsMaterial material,
            SslContext mtls,
            ClientCertificateChecker checker,
            RoleMapper roles,
            EdgeContext edge,
            ConnectionAudit connectionAudit,
            Metrics metrics,
            AuditStore store,
            Map<String, Integer> ports,
            Clock clock) {
        List<GatewayConfig.Listener> relays = config.listenerList().stream()
                .filter(GatewayConfig.Listener::relay)
                .toList();
        if (relays.isEmpty()) {
            return null;
        }
        UpstreamTls upstreamTls = UpstreamTls.load(
                RelayClientConfig.from(config.raw().get("relay"), config.source(), config.tls()),
                config.source().toString(),
                TlsContexts.provider(config.tls().provider()));
        PolicyWatcher watcher = ctx.getBean(PolicyWatcher.class);
        ExecutorService blocking = ctx.getBean(ExecutorService.class, Qualifiers.byName(TaskExecutors.BLOCKING));
        RelayEventLoops loops = RelayEventLoops.of(ctx);
        return RelayServer.start(
                relays,
                ports,
                new RelayServer.Setup(
                        edge,
                        mtls,
                        () -> new TlsSessionHandler(checker, roles, connectionAudit, metrics),
                        TlsContexts.serverOnly(material, config.tls().provider()),
                        connectionAudit,
                        metrics,
                        watcher::current,
                        watcher::subscribe,
                        upstreamTls,
                        ctx.getBean(AuditLog.class),
                        () -> store.postgresLog().isAvailable(),
                        () -> ctx.getBean(Admission.class),
                        blocking,
                        clock,
                        loops.group(),
                        loops.serverChannel(),
                        loops.clientChannel()));
    }
}
