package jp.sekisho.gateway.admission;

import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteState;

/** The route's approval is in force now: approved (with or without conditions), within its period. */
final class ApprovalStep implements Step {

    @Override
    public Decision.Denied check(AdmissionRequest request, Attempt attempt) {
        Route route = attempt.route();
        if (route == null) {
            return null;
        }
        RouteState state = attempt.policy().stateOf(route, attempt.now());
        if (state == RouteState.APPROVAL_TAMPERED) {
            return attempt.deny(
                    Reason.APPROVAL_TAMPERED,
                    "route " + route.id() + " refused: " + attempt.policy().tamper(route)
                            + "; the row was changed outside the gateway and is not trusted");
        }
        if (state != RouteState.ACTIVE) {
            return attempt.deny(
                    Reason.valueOf(state.name()),
                    "route " + route.id() + " is not active: approval " + route.approvalRef() + " " + describe(state));
        }
        attempt.approval(attempt.policy().approvals().get(route.approvalRef()));
        return null;
    }

    private static String describe(RouteState s) {
        return switch (s) {
            case APPROVAL_PENDING -> "awaits the council's decision";
            case APPROVAL_SUSPENDED -> "is suspended";
            case APPROVAL_REVOKED -> "is revoked";
            case APPROVAL_WITHDRAWN -> "was withdrawn";
            case APPROVAL_REJECTED -> "was rejected";
            case APPROVAL_EXPIRED -> "has expired";
            case APPROVAL_NOT_YET_VALID -> "is not yet valid";
            case APPROVAL_UNKNOWN -> "is unknown";
            case APPROVAL_TAMPERED -> "was changed outside the gateway";
            case ACTIVE -> "is in force";
        };
    }
}
