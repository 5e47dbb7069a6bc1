package jp.sekisho.gateway.route;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.route.RouteJson.ApplyRequest;
import jp.sekisho.gateway.route.RouteJson.ApplyResult;
import jp.sekisho.gateway.route.RouteJson.ChangeView;
import jp.sekisho.gateway.route.RouteService.Applied;

/** The operator's admin API for routes (admin listener only). Only operators apply and delete; the others read. */
@AdminApi
@Controller("/api/v1/routes")
public final class RouteController {

    private final RouteService service;
    private final PolicyWatcher watcher;
    private final Clock clock;

    public RouteController(RouteService service, PolicyWatcher watcher, Clock clock) {
        this.service = service;
        this.watcher = watcher;
        this.clock = clock;
    }

    @Get
    @RequiresRole({Role.OPERATOR, Role.AUDITOR, Role.SECRETARIAT})
    public RouteJson.ListView list() {
        var policy = watcher.current();
        Instant now = clock.instant();
        return new RouteJson.ListView(
                policy.routes().values().stream()
                        .sorted(Comparator.comparing(Route::id))
                        .map(r -> RouteJson.view(r, policy.stateOf(r, now)))
                        .toList(),
                policy.relays().values().stream()
                        .sorted(Comparator.comparing(RelayRoute::id))
                        .map(r -> RouteJson.relayView(r, policy.stateOf(r, now)))
                        .toList());
    }

    @Get("/{id}")
    @RequiresRole({Role.OPERATOR, Role.AUDITOR, Role.SECRETARIAT})
    public HttpResponse<?> get(HttpRequest<?> request, String id) {
        var policy = watcher.current();
        RelayRoute relay = policy.relays().get(id);
        if (relay != null) {
            return HttpResponse.ok(RouteJson.relayView(relay, policy.stateOf(relay, clock.instant())));
        }
        return policy.route(id)
                .<HttpResponse<?>>map(r -> HttpResponse.ok(RouteJson.view(r, policy.stateOf(r, clock.instant()))))
                .orElseGet(() -> Problem.response(request, Reason.ROUTE_UNKNOWN, "no route " + id));
    }

    @Put
    @RequiresRole(Role.OPERATOR)
    public HttpResponse<?> apply(HttpRequest<?> request, Principal principal, @Body ApplyRequest body) {
        RouteSet routes;
        try {
            routes = new RouteSet(
                    body.routes() == null
                            ? List.of()
                            : body.routes().stream()
                                    .map(RouteJson.View::toRoute)
                                    .toList(),
                    body.relays() == null
                            ? List.of()
                            : body.relays().stream()
                                    .map(RouteJson.RelayView::toRelay)
                                    .toList());
        } catch (IllegalArgumentException | NullPointerException | java.time.DateTimeException e) {
            return Problem.response(request, Reason.INVALID_ROUTE, String.valueOf(e.getMessage()));
        }
        boolean prune = Boolean.TRUE.equals(body.prune());
        Applied result = service.apply(routes, Callers.of(request, principal), body.dryRun(), prune);
        if (result instanceof Applied.Refused r) {
            Requests.markAudited(request); // the service recorded the refusal
            // a route naming an unknown approval conflicts with the approvals; anything else is a bad routes file
            int status = "APPROVAL_UNKNOWN".equals(r.reason()) ? 409 : 400;
            return Problem.response(request, Reason.valueOf(r.reason()), status, r.message());
        }
        Applied.Done done = (Applied.Done) result;
        List<ChangeView> changes = new ArrayList<>();
        done.diff()
                .changes()
                .forEach(c ->
                        changes.add(new ChangeView(c.kind().name(), c.route().id(), c.line())));
        done.relayDiff()
                .changes()
                .forEach(c ->
                        changes.add(new ChangeView(c.kind().name(), c.relay().id(), c.line())));
        // stored routes the file leaves out: deleted with prune, otherwise kept and named so nobody assumes otherwise
        done.absent()
                .forEach(id -> changes.add(
                        prune
                                ? new ChangeView("DELETED", id, "- " + id + " deleted (not in the routes file)")
                                : new ChangeView(
                                        "ABSENT",
                                        id,
                                        "? " + id + " kept: not in the routes file (apply --prune deletes it)")));
        return HttpResponse.ok(new ApplyResult(!done.dryRun() && done.changesAnything(), done.dryRun(), changes));
    }

    /** Deletes one route of either kind (operator only); the reason is required and kept. */
    @Delete("/{id}")
    @RequiresRole(Role.OPERATOR)
    public HttpResponse<?> delete(
            HttpRequest<?> request, Principal principal, String id, @Nullable @Body RouteJson.DeleteRequest body) {
        RouteRemoval.Result result =
                service.delete(id, body == null ? null : body.reason(), Callers.of(request, principal));
        if (result instanceof RouteRemoval.Result.Refused r) {
            Requests.markAudited(request); // the service recorded the refusal
            return Problem.response(request, Reason.valueOf(r.reason()), r.message());
        }
        RouteRemoval.Result.Deleted d = (RouteRemoval.Result.Deleted) result;
        return HttpResponse.ok(new RouteJson.DeleteResult(
                d.id(),
                d.kind(),
                d.deletion().atTokyo(),
                d.deletion().by(),
                d.deletion().reason()));
    }
}
