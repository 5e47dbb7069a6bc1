package jp.sekisho.gateway.admission;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import jp.sekisho.gateway.http.GatewayInfo;
import jp.sekisho.gateway.policy.PolicySnapshot;

/**
 * The order of checks the product promises, in one list that reads top to bottom. Every entry point
 * (the Micronaut filter, the tus PATCH handler, the payload handler) is judged by this chain; the
 * first step that refuses decides. Pure apart from reading the current policy snapshot and clock:
 * it records nothing ({@link Admission} does).
 */
public final class AdmissionChain {

    private final Supplier<PolicySnapshot> policy;
    private final Clock clock;
    private final List<Step> steps;

    /** @param policy the current policy snapshot (the node's PolicyWatcher keeps it fresh) */
    public AdmissionChain(
            GatewayInfo info,
            Supplier<PolicySnapshot> policy,
            BiPredicate<String, InetAddress> cidrContains,
            Clock clock) {
        this.policy = policy;
        this.clock = clock;
        this.steps = List.of(
                new ListenerStep(info), // 1. admin APIs only on the admin listener
                new PrincipalStep(), // 2. a verified client certificate
                new RoleStep(), // 3. a role the endpoint requires (deny by default)
                new RouteStep(), // 4. the route exists on this listener
                new PartyStep(cidrContains), // 5. a sender/receiver of it, from its addresses
                new ApprovalStep()); // 6. its approval in force now
    }

    /** Runs the steps, then the entry point's protocol checks; the first refusal decides. */
    public Decision decide(AdmissionRequest request) {
        Attempt attempt = new Attempt(policy.get(), clock.instant());
        for (Step step : steps) {
            Decision.Denied d = step.check(request, attempt);
            if (d != null) {
                return d;
            }
        }
        for (Step step : request.protocol()) { // 7. the entry point's own checks
            Decision.Denied d = step.check(request, attempt);
            if (d != null) {
                return d;
            }
        }
        return attempt.admitted();
    }
}
