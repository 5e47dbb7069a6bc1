package jp.sekisho.gateway.route;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.Lang;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.relay.RelayRoute;

/**
 * A route's live state as people read it: ACTIVE, or the reason code a request on it is refused
 * with now, in Japanese and English. Judged by {@link PolicySnapshot#stateOf} and worded by
 * {@link Reason}, exactly as the admission chain's approval step refuses, so the page and a refused
 * send never disagree.
 *
 * @param detail what failed the seal check (APPROVAL_TAMPERED only), else null
 */
public record RouteStatus(
        RouteState state, String ja, String en, @Nullable String detail) {

    public static RouteStatus of(PolicySnapshot policy, Route route, Instant now) {
        RouteState s = policy.stateOf(route, now);
        if (s == RouteState.ACTIVE) {
            return new RouteStatus(
                    s, "運用中：承認が有効で、この経路はデータを運びます", "active: its approval is in force and the route carries data", null);
        }
        Reason reason = Reason.valueOf(s.name()); // every state but ACTIVE is the reason admission gives
        return new RouteStatus(
                s, reason.ja(), reason.en(), s == RouteState.APPROVAL_TAMPERED ? policy.tamper(route) : null);
    }

    /** A relay route's state, judged and worded the same way. */
    public static RouteStatus of(PolicySnapshot policy, RelayRoute relay, Instant now) {
        RouteState s = policy.stateOf(relay, now);
        if (s == RouteState.ACTIVE) {
            return new RouteStatus(
                    s,
                    "運用中：承認が有効で、この中継経路は要求を中継します",
                    "active: its approval is in force and the relay carries requests",
                    null);
        }
        Reason reason = Reason.valueOf(s.name());
        String detail = null;
        if (s == RouteState.APPROVAL_TAMPERED) {
            String own = policy.tamperedRoutes().get(relay.id());
            detail = own != null
                    ? "relay route " + relay.id() + ": " + own
                    : "approval " + relay.approvalRef() + ": "
                            + policy.tamperedApprovals().get(relay.approvalRef());
        }
        return new RouteStatus(s, reason.ja(), reason.en(), detail);
    }

    /** The explanation in the page's language (the route's own page shows both). */
    public String text(Lang lang) {
        return lang == Lang.JA ? ja : en;
    }

    public String code() {
        return state.name();
    }

    public boolean active() {
        return state == RouteState.ACTIVE;
    }
}
