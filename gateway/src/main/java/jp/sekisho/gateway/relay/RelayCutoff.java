package jp.sekisho.gateway.relay;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.RouteState;

/**
 * Cuts relay requests and WebSockets in flight when the policy stops allowing them: on every new
 * snapshot (the watcher reloads within a second of a change, and at least every second), each live
 * request whose route is gone or moved to another listener, or whose approval is no longer
 * in force, is cut with that reason (the approval's code, or RELAY_NO_ROUTE). New requests are
 * refused by {@link RelayAdmission} against the same snapshot.
 */
public final class RelayCutoff implements Consumer<PolicySnapshot> {

    /** A request in flight: its route as admitted, and how to cut it (on its own event loop). */
    interface Live {
        RelayRoute route();

        void cut(Reason reason);
    }

    private final Set<Live> live = ConcurrentHashMap.newKeySet();
    private final Clock clock;

    public RelayCutoff(Clock clock) {
        this.clock = clock;
    }

    void add(Live l) {
        live.add(l);
    }

    void remove(Live l) {
        live.remove(l);
    }

    /** Requests in flight now (tests, the operations page). */
    public int inFlight() {
        return live.size();
    }

    @Override
    public void accept(PolicySnapshot snapshot) {
        for (Live l : java.util.List.copyOf(live)) {
            Reason r = reasonToCut(snapshot, l.route());
            if (r != null) {
                live.remove(l);
                l.cut(r);
            }
        }
    }

    private Reason reasonToCut(PolicySnapshot snapshot, RelayRoute admitted) {
        RelayRoute now = snapshot.relays().get(admitted.id());
        if (now == null || !now.listener().equals(admitted.listener())) {
            return Reason.RELAY_NO_ROUTE;
        }
        RouteState state = snapshot.stateOf(now, clock.instant());
        return state == RouteState.ACTIVE ? null : Reason.valueOf(state.name());
    }
}
