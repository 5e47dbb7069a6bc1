package jp.sekisho.gateway.route;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.console.ConsoleView;
import jp.sekisho.gateway.console.templates.routes.JtedetailGenerated;
import jp.sekisho.gateway.console.templates.routes.JtelistGenerated;
import jp.sekisho.gateway.http.ListenerPorts;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.transfer.TransferCounts;
import jp.sekisho.gateway.transfer.TransferRepository;

/**
 * The console's routes pages (secretariat and operators): each route's live state as admission
 * judges it now, its approval, listener, parties and transfers. Read-only; the routes file is
 * applied with the CLI.
 */
@AdminApi
@Controller("/console/routes")
@RequiresRole({Role.SECRETARIAT, Role.OPERATOR})
@ExecuteOn(TaskExecutors.BLOCKING)
public final class RoutePages {

    /** Ended transfers a route's page lists. */
    static final int RECENT = 50;
    /** Transfers in flight a route's page lists; more are counted and said to be cut. */
    static final int IN_FLIGHT_SHOWN = 200;
    /** The window of the delivered / not delivered counts. */
    static final Duration COUNT_WINDOW = Duration.ofDays(30);

    private final ConsolePage page;
    private final PolicyWatcher watcher;
    private final TransferRepository transfers;
    private final GatewayConfig config;
    private final ListenerPorts ports;
    private final Clock clock;

    public RoutePages(
            ConsolePage page,
            PolicyWatcher watcher,
            AuditStore store,
            GatewayConfig config,
            ListenerPorts ports,
            Clock clock) {
        this.page = page;
        this.watcher = watcher;
        // the transfer table is in the audit store's database; the repository holds no state of its own
        this.transfers = new TransferRepository(store.database().dataSource());
        this.config = config;
        this.ports = ports;
        this.clock = clock;
    }

    @Get
    @Produces("text/html")
    public HttpResponse<?> list(HttpRequest<?> request, Principal principal) {
        PolicySnapshot policy = watcher.current();
        Instant now = clock.instant();
        List<Route> routes = policy.routes().values().stream()
                .sorted(Comparator.comparing(Route::id))
                .toList();
        Map<String, TransferCounts> counts =
                transfers.counts(routes.stream().map(Route::id).toList(), now.minus(COUNT_WINDOW));
        List<RouteRow> rows = routes.stream()
                .map(r -> new RouteRow(
                        r,
                        RouteStatus.of(policy, r, now),
                        policy.approvals().get(r.approvalRef()),
                        counts.getOrDefault(r.id(), TransferCounts.NONE)))
                .toList();
        List<RelayRow> relays = policy.relays().values().stream()
                .sorted(Comparator.comparing(RelayRoute::id))
                .map(r -> new RelayRow(
                        r, RouteStatus.of(policy, r, now), policy.approvals().get(r.approvalRef())))
                .toList();
        return page.render(
                request,
                principal,
                "routes.title",
                (v, out) -> JtelistGenerated.render(out, null, v, rows, relays, COUNT_WINDOW.toDays()));
    }

    @Get("/{id}")
    @Produces("text/html")
    public HttpResponse<?> detail(HttpRequest<?> request, Principal principal, String id) {
        PolicySnapshot policy = watcher.current();
        Route route = policy.routes().get(id);
        if (route == null) {
            // the id already passed the route-id grammar at the edge (ID_INVALID otherwise)
            return page.error(
                    request, principal, Reason.ROUTE_UNKNOWN, 404, "経路 " + id + " はありません / there is no route " + id);
        }
        Instant now = clock.instant();
        RouteDetail detail = new RouteDetail(
                route,
                RouteStatus.of(policy, route, now),
                policy.approvals().get(route.approvalRef()),
                listener(route.listener()),
                transfers.inFlight(id, IN_FLIGHT_SHOWN),
                transfers.counts(List.of(id), now.minus(COUNT_WINDOW)).getOrDefault(id, TransferCounts.NONE),
                transfers.recentlyEnded(id, RECENT));
        ConsoleView base = page.view(request, principal, "routes.detail.title");
        ConsoleView v = new ConsoleView(
                base.principal(),
                base.m(),
                base.csrf(),
                base.path(),
                base.m().t("routes.detail.title", id),
                base.nav(),
                base.notice());
        return page.render(request, v, 200, (view, out) -> JtedetailGenerated.render(out, null, view, detail, RECENT));
    }

    private RouteDetail.Listener listener(String name) {
        return config.listenerList().stream()
                .filter(l -> l.name().equals(name))
                .findFirst()
                .map(l -> new RouteDetail.Listener(name, l.bind(), ports.of(name)))
                .orElseGet(() -> new RouteDetail.Listener(name, null, 0));
    }
}
