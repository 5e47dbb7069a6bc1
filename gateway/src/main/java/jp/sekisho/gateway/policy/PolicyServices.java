package jp.sekisho.gateway.policy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.approval.ApprovalPolicy;
import jp.sekisho.gateway.approval.ApprovalRepository;
import jp.sekisho.gateway.approval.ApprovalService;
import jp.sekisho.gateway.approval.DataItems;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.deletion.DeletionReportRepository;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.edge.ListenerAllowlists;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteRepository;
import jp.sekisho.gateway.route.RouteService;

/**
 * Approvals and routes on one gateway node, wired together: the policy tables beside the audit
 * store, the watcher that keeps this node's snapshot current, the use cases, and the edge
 * allowlists recomputed from the routes whenever they change.
 */
public record PolicyServices(PolicyWatcher watcher, ApprovalService approvals, RouteService routes, PolicySeal seal)
        implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PolicyServices.class);

    /** How often a node re-reads the policy even without a notification (lost-notification safety net). */
    static final Duration POLL = Duration.ofSeconds(5);

    public static PolicyServices start(
            GatewayConfig config, AuditStore store, ListenerAllowlists allowlists, Clock clock) {
        PolicySchema.migrate(store.database());
        DataSource ds = store.database().dataSource();
        PolicySeal seal = openSeal(config.approvals().sealKeyIn(config.dataDir()));
        SealKeyRegistry.check(ds, seal, config.nodeId(), clock);
        if (seal.created()) {
            sealRowsFromBefore(ds, seal, clock);
        }
        PolicyWatcher watcher = new PolicyWatcher(ds, seal, new TamperAlarm(store.log()), clock, POLL);
        Set<String> transferListeners = config.listenerList().stream()
                .filter(l -> !l.admin() && !l.relay())
                .map(GatewayConfig.Listener::name)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        Map<String, Boolean> relayListeners = new LinkedHashMap<>();
        config.listenerList().stream()
                .filter(GatewayConfig.Listener::relay)
                .forEach(l -> relayListeners.put(l.name(), l.closedNetwork()));
        watcher.subscribe(snapshot -> {
            routeCidrs(snapshot, transferListeners).forEach(allowlists::update);
            relayCidrs(snapshot, relayListeners.keySet()).forEach(allowlists::update);
        });
        ApprovalService approvals = new ApprovalService(
                new ApprovalRepository(ds, seal),
                new ApprovalPolicy(config.approvals().twoPersonRule()),
                DataItems.builtIn(),
                store.log(),
                watcher,
                clock,
                new DeletionReportRepository(ds)::accepted);
        RouteService routes = new RouteService(
                new RouteRepository(ds, seal),
                watcher,
                store.log(),
                transferListeners,
                relayListeners,
                PolicyServices::isCidr,
                clock);
        return new PolicyServices(watcher, approvals, routes, seal);
    }

    private static PolicySeal openSeal(Path file) {
        try {
            PolicySeal seal = PolicySeal.loadOrCreate(file);
            LOG.info("policy seal key {} (id {}){}", file, seal.keyId(), seal.created() ? ", created now" : "");
            return seal;
        } catch (IOException | RuntimeException e) {
            throw new PolicyStoreException("policy seal key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The start that creates the seal key seals the rows an earlier version wrote unsealed, once, and
     * says so: after it, an unsealed row is a tampered one. The marker is the key file, which the
     * database cannot reset.
     */
    static void sealRowsFromBefore(DataSource ds, PolicySeal seal, Clock clock) {
        List<String> approvals = new ApprovalRepository(ds, seal).sealUnsealed(clock.instant());
        List<String> routes = new RouteRepository(ds, seal).sealUnsealed();
        if (!approvals.isEmpty() || !routes.isEmpty()) {
            LOG.warn(
                    "封印鍵 {} を新たに作成し、以前の版で登録された承認 {} と経路 {} に封印しました。"
                            + "内容が審議会の記録と一致するか確認してください / created the policy seal key {} and sealed "
                            + "the approvals {} and routes {} recorded by an earlier version, as they are now; check them "
                            + "against the council's records (sekisho approvals list). From now on a row changed outside the "
                            + "gateway is refused (APPROVAL_TAMPERED)",
                    seal.file(),
                    approvals,
                    routes,
                    seal.file(),
                    approvals,
                    routes);
        }
    }

    /**
     * Each transfer listener's route CIDRs: the union over every route bound to it, whatever its
     * approval's state (a suspended route's senders hear the reason), except a route whose own row
     * failed its seal check: its addresses are exactly what cannot be trusted, so they stay closed
     * before TLS (an SQL "undelete" or an added CIDR opens nothing).
     */
    static Map<String, List<Cidr>> routeCidrs(PolicySnapshot snapshot, Set<String> listeners) {
        Map<String, List<Cidr>> byListener = new LinkedHashMap<>();
        listeners.forEach(l -> byListener.put(l, new ArrayList<>()));
        for (Route r : snapshot.routes().values()) {
            List<Cidr> cidrs = byListener.get(r.listener());
            if (cidrs == null || snapshot.tamperedRoutes().containsKey(r.id())) {
                continue; // a listener this node does not have (nodes may differ), or a row not to trust
            }
            for (String c : r.allCidrs()) {
                if (isCidr(c)) {
                    cidrs.add(Cidr.parse(c));
                }
            }
        }
        return byListener;
    }

    /**
     * Each relay listener's terminal CIDRs, from the relay route bound to it. A relay route whose row
     * failed its seal check opens nothing: its addresses are exactly what cannot be trusted (fail
     * closed before TLS). A suspended approval still opens them, so terminals hear the reason.
     */
    static Map<String, List<Cidr>> relayCidrs(PolicySnapshot snapshot, Set<String> listeners) {
        Map<String, List<Cidr>> byListener = new LinkedHashMap<>();
        listeners.forEach(l -> byListener.put(l, new ArrayList<>()));
        for (RelayRoute r : snapshot.relays().values()) {
            List<Cidr> cidrs = byListener.get(r.listener());
            if (cidrs == null || snapshot.tamperedRoutes().containsKey(r.id())) {
                continue;
            }
            for (String c : r.allCidrs()) {
                if (isCidr(c)) {
                    cidrs.add(Cidr.parse(c));
                }
            }
        }
        return byListener;
    }

    private static boolean isCidr(String text) {
        try {
            Cidr.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a route's CIDR (text) contains an address; a CIDR the edge cannot parse contains nothing. */
    public static boolean contains(String cidr, InetAddress address) {
        try {
            return Cidr.parse(cidr).contains(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void close() {
        watcher.close();
    }
}
