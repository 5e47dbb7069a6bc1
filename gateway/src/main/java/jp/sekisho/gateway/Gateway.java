package jp.sekisho.gateway;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.server.netty.NettyHttpServer;
import io.micronaut.runtime.server.EmbeddedServer;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.config.EdgeLimits;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.deletion.DeletionReports;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.ConnectionRate;
import jp.sekisho.gateway.edge.EdgeContext;
import jp.sekisho.gateway.edge.EdgePipeline;
import jp.sekisho.gateway.edge.ListenerAllowlists;
import jp.sekisho.gateway.health.HealthBinding;
import jp.sekisho.gateway.health.HealthServer;
import jp.sekisho.gateway.http.GatewayInfo;
import jp.sekisho.gateway.http.ListenerPorts;
import jp.sekisho.gateway.http.MetricBinders;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.identity.RoleMapper;
import jp.sekisho.gateway.operations.ExpiryWatch;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicyServices;
import jp.sekisho.gateway.relay.RelayBinding;
import jp.sekisho.gateway.relay.RelayServer;
import jp.sekisho.gateway.tls.ClientCertificateChecker;
import jp.sekisho.gateway.tls.CrlStore;
import jp.sekisho.gateway.tls.GatewayTrustManager;
import jp.sekisho.gateway.tls.TlsContexts;
import jp.sekisho.gateway.tls.TlsInventory;
import jp.sekisho.gateway.tls.TlsMaterial;
import jp.sekisho.gateway.tls.TlsSessionHandler;
import jp.sekisho.gateway.transfer.TransferService;
import jp.sekisho.gateway.transfer.TusPipeline;

/**
 * A running gateway: one Micronaut application context with one Netty listener per configured
 * listener, each fronted by the gateway's allowlist/PROXY handler and its own mutual-TLS handler.
 * Start it with {@link #start}; {@link #close} stops it. Tests and the CLI use the same path.
 */
public final class Gateway implements AutoCloseable {

    private final GatewayConfig config;
    private final ApplicationContext context;
    private final Map<String, Integer> ports;
    private final ListenerAllowlists allowlists;
    private final Metrics metrics;
    private final ConnectionAudit connectionAudit;
    private final AuditLog audit;
    private final PolicyServices policy;
    private final TransferService transfers;
    private final RelayServer relay;
    private final HealthServer health;

    /** The audit log handed to beans and handlers before the store has finished opening. */
    private static final class DeferredAuditLog implements AuditLog {
        private volatile AuditLog target;

        void open(AuditLog log) {
            this.target = log;
        }

        private AuditLog target() {
            AuditLog t = target;
            if (t == null) {
                throw new AuditUnavailableException("the audit store is still opening");
            }
            return t;
        }

        @Override
        public void record(AuditEvent event) {
            target().record(event);
        }

        @Override
        public jp.sekisho.audit.RecordedEvent commit(AuditEvent event) {
            return target().commit(event);
        }
    }

    private Gateway(
            GatewayConfig config,
            ApplicationContext context,
            Map<String, Integer> ports,
            ListenerAllowlists allowlists,
            Metrics metrics,
            AuditLog audit,
            ConnectionAudit connectionAudit,
            PolicyServices policy,
            TransferService transfers,
            RelayServer relay,
            HealthServer health) {
        this.relay = relay;
        this.health = health;
        this.connectionAudit = connectionAudit;
        this.config = config;
        this.context = context;
        this.ports = ports;
        this.allowlists = allowlists;
        this.metrics = metrics;
        this.audit = audit;
        this.policy = policy;
        this.transfers = transfers;
    }

    /** Uploads, deliveries and the spool of this node. */
    public TransferService transfers() {
        return transfers;
    }

    /** Approvals, routes and this node's policy snapshot. */
    public PolicyServices policy() {
        return policy;
    }

    /**
     * Starts the gateway.
     *
     * @throws jp.sekisho.gateway.config.ConfigException for bad TLS material (one line naming the key)
     * @throws AuditUnavailableException when the audit log cannot record GATEWAY_STARTED
     * @throws IllegalStateException when a listener cannot bind
     */
    public static Gateway start(GatewayConfig config, AuditStore store) {
        return start(config, () -> store);
    }

    /**
     * Starts the gateway while {@code openAudit} opens the audit store on another thread (the
     * embedded PostgreSQL takes seconds; TLS set-up and the Micronaut context take the same time
     * again, so doing both at once halves start-up). No listener accepts a connection before the
     * store is open. When start-up fails, this returns only after {@code openAudit} has finished,
     * so the caller can close whatever it opened.
     */
    public static Gateway start(GatewayConfig config, Supplier<AuditStore> openAudit) {
        CompletableFuture<AuditStore> opening = new CompletableFuture<>();
        Thread opener = new Thread(
                () -> {
                    try {
                        opening.complete(openAudit.get());
                    } catch (Throwable t) {
                        opening.completeExceptionally(t);
                    }
                },
                "sekisho-audit-open");
        opener.start();
        DeferredAuditLog deferred = new DeferredAuditLog();
        try {
            return start(config, opening, deferred);
        } catch (RuntimeException e) {
            try {
                opening.join();
            } catch (RuntimeException ignored) {
                // the start-up error is the one to report
            }
            throw e;
        }
    }

    private static Gateway start(GatewayConfig config, CompletableFuture<AuditStore> opening, DeferredAuditLog audit) {
        TlsMaterial material = TlsMaterial.load(config);
        Clock clock = Clock.systemUTC();
        CrlStore crls = new CrlStore(config.tls().crls(), material.anchors(), clock);
        ClientCertificateChecker checker = new ClientCertificateChecker(material, crls, clock);
        SslContext ssl = TlsContexts.server(
                material,
                new GatewayTrustManager(checker, material.anchors()),
                config.tls().provider());
        RoleMapper roles = new RoleMapper(config.principals());
        Metrics metrics = new Metrics();
        MetricBinders.jvm(metrics);
        EdgeLimits limits = EdgeLimits.from(config.raw().get("edge"), config.source());
        ConnectionAudit connectionAudit = new ConnectionAudit(audit, metrics, limits.refusalWindow());

        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<Integer, String> byPort = new HashMap<>();
        Map<String, List<Cidr>> own = new LinkedHashMap<>();
        Map<String, List<Cidr>> trusted = new LinkedHashMap<>();
        Map<String, Boolean> admin = new LinkedHashMap<>();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("micronaut.application.name", "sekisho-gateway");
        props.put("micronaut.ssl.enabled", false);
        props.put("micronaut.server.ssl.enabled", false);
        props.put("micronaut.server.netty.server-type", "FULL_CONTENT");
        // a JSON body naming a key twice is refused (JSON_INVALID), not read as whichever came last
        props.put("micronaut.serde.jackson.parser-features", Map.of("STRICT_DUPLICATE_DETECTION", true));
        Map<String, Integer> chosen = FreePorts.choose(config.listenerList());
        for (GatewayConfig.Listener l : config.listenerList()) {
            int port = l.port() == 0 ? chosen.get(l.name()) : l.port();
            ports.put(l.name(), port);
            byPort.put(port, l.name());
            own.put(l.name(), l.allow());
            trusted.put(l.name(), l.proxyTrusted());
            admin.put(l.name(), l.admin());
            if (l.relay()) {
                continue; // bound by the RelayServer, not Micronaut
            }
            String p = "micronaut.server.netty.listeners." + l.name() + ".";
            props.put(p + "host", l.bind());
            props.put(p + "port", port);
            props.put(p + "ssl", false);
        }
        ListenerAllowlists allowlists = new ListenerAllowlists(own);
        EdgeContext edge = new EdgeContext(
                byPort,
                allowlists,
                trusted,
                connectionAudit,
                new ConnectionRate(limits.connectionsPerSecond(), limits.connectionBurst()));
        EdgePipeline pipeline =
                new EdgePipeline(edge, ssl, () -> new TlsSessionHandler(checker, roles, connectionAudit, metrics));

        GatewayInfo info = new GatewayInfo(config.nodeId(), admin);
        ApplicationContext ctx = ApplicationContext.builder()
                .deduceEnvironment(false)
                .deduceCloudEnvironment(false)
                .environmentPropertySource(false)
                .banner(false)
                .properties(props)
                .singletons(
                        audit,
                        metrics,
                        info,
                        allowlists,
                        config,
                        new ListenerPorts(ports),
                        checker,
                        new TlsInventory(material.chain(), material.anchors(), crls))
                .start();
        ctx.registerSingleton(Clock.class, clock);
        PolicyServices policy;
        TransferService transfers;
        RelayServer relay = null;
        HealthServer health = null;
        try {
            NettyHttpServer server = (NettyHttpServer) ctx.getBean(EmbeddedServer.class);
            server.register(pipeline);
            // tus PATCH bodies stream to the spool in the pipeline instead of being aggregated (FULL_CONTENT);
            // payloads leave in large pieces paced by the connection (PayloadHandler)
            server.register(ctx.getBean(TusPipeline.class));
            AuditStore store;
            try {
                store = opening.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            audit.open(store.log());
            MetricBinders.auditStore(metrics, store);
            ctx.registerSingleton(AuditStore.class, store);
            // Routes decide the allowlists, and the spool is recovered, before the first connection is accepted.
            policy = ctx.getBean(PolicyServices.class);
            transfers = ctx.getBean(TransferService.class);
            ctx.getBean(DeletionReports.class); // its gauge, sekisho_deletion_reports_overdue, from the start
            ctx.getBean(ExpiryWatch.class); // logs what runs out within a week, now and daily; the gauges
            relay = RelayBinding.start(
                    config, ctx, material, ssl, checker, roles, edge, connectionAudit, metrics, store, ports, clock);
            server.start();
            health = HealthBinding.start(config, crls, store, policy, transfers, clock, metrics, connectionAudit);
            audit.commit(AuditEvent.of(EventType.GATEWAY_STARTED, Outcome.ALLOW)
                    .detailJson(startedJson(config.nodeId(), ports))
                    .build());
        } catch (RuntimeException e) {
            if (relay != null) {
                relay.close();
            }
            if (health != null) {
                health.close();
            }
            ctx.close(); // closes the transfer and policy services if they were started
            connectionAudit.close();
            metrics.close();
            throw e;
        }
        return new Gateway(
                config,
                ctx,
                Map.copyOf(ports),
                allowlists,
                metrics,
                audit,
                connectionAudit,
                policy,
                transfers,
                relay,
                health);
    }

    private static String startedJson(String node, Map<String, Integer> ports) {
        StringBuilder sb = new StringBuilder("{");
        Json.quote(sb, "node").append(':');
        Json.quote(sb, node).append(",\"listeners\":{");
        int i = 0;
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            Json.quote(sb.append(i++ == 0 ? "" : ","), e.getKey()).append(':').append(e.getValue());
        }
        return sb.append("}}").toString();
    }

    public GatewayConfig config() {
        return config;
    }

    /** Bound port of each listener, by name. */
    public Map<String, Integer> ports() {
        return ports;
    }

    public int port(String listener) {
        Integer p = ports.get(listener);
        if (p == null) {
            throw new IllegalArgumentException("unknown listener: " + listener);
        }
        return p;
    }

    /** The live allowlists; the routes layer calls {@code allowlists().update(listener, cidrs)}. */
    public ListenerAllowlists allowlists() {
        return allowlists;
    }

    /** The load balancer's health endpoint, or null when {@code health:} is not configured. */
    public HealthServer health() {
        return health;
    }

    public Metrics metrics() {
        return metrics;
    }

    public ApplicationContext context() {
        return context;
    }

    /** "transfer https://127.0.0.1:8443, admin https://127.0.0.1:9443" */
    public String describeListeners() {
        StringBuilder sb = new StringBuilder();
        for (GatewayConfig.Listener l : config.listenerList()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            String host = l.bind().contains(":") ? "[" + l.bind() + "]" : l.bind();
            sb.append(l.name()).append(" https://").append(host).append(':').append(ports.get(l.name()));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (health != null) {
            health.close(); // first: a balancer sees the node gone before its listeners stop
        }
        if (relay != null) {
            relay.close(); // before the event loops it may share with Micronaut go
        }
        connectionAudit.close(); // the summaries of refusals still being counted, before GATEWAY_STOPPED
        try {
            audit.record(AuditEvent.of(EventType.GATEWAY_STOPPED, Outcome.ALLOW)
                    .detailJson(new Detail().put("node", config.nodeId()).toString())
                    .build());
        } catch (AuditUnavailableException e) {
            // stopping anyway; the store's own chain shows the gap
        }
        context.close(); // closes the transfer and policy services (GatewayBeans)
        metrics.close();
    }
}
