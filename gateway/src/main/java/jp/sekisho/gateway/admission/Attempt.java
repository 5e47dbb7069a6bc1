package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.Route;

/**
 * What the steps of one admission found so far. Every step judges against the same policy snapshot
 * and the same instant, so a request is never half-judged under one policy and half under the next.
 */
public final class Attempt {

    private final PolicySnapshot policy;
    private final Instant now;
    private Principal principal;
    private Route route;
    private Side side;
    private Approval approval;

    Attempt(PolicySnapshot policy, Instant now) {
        this.policy = policy;
        this.now = now;
    }

    public PolicySnapshot policy() {
        return policy;
    }

    public Instant now() {
        return now;
    }

    @Nullable
    public Principal principal() {
        return principal;
    }

    @Nullable
    public Route route() {
        return route;
    }

    @Nullable
    public Side side() {
        return side;
    }

    @Nullable
    public Approval approval() {
        return approval;
    }

    void principal(Principal p) {
        this.principal = p;
    }

    void route(Route r) {
        this.route = r;
    }

    void side(Side s) {
        this.side = s;
    }

    void approval(Approval a) {
        this.approval = a;
    }

    Decision.Admitted admitted() {
        return new Decision.Admitted(principal, route, approval, side);
    }

    /** A refusal that names the route found so far, if any. */
    public Decision.Denied deny(Reason reason, String message) {
        return new Decision.Denied(reason, message, route);
    }
}
