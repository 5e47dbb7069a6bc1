package jp.sekisho.gateway.route;

import java.time.Instant;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalState;

/** A route's state is derived, never stored: ACTIVE only while its approval is in force now. */
public enum RouteState {
    ACTIVE,
    APPROVAL_UNKNOWN,
    APPROVAL_PENDING,
    APPROVAL_REJECTED,
    APPROVAL_SUSPENDED,
    APPROVAL_REVOKED,
    APPROVAL_WITHDRAWN,
    APPROVAL_NOT_YET_VALID,
    APPROVAL_EXPIRED,
    /** The route's row or its approval's does not match its seal: changed outside the gateway. */
    APPROVAL_TAMPERED;

    public static RouteState of(Approval approval, Instant now) {
        if (approval == null) {
            return APPROVAL_UNKNOWN;
        }
        ApprovalState s = ApprovalState.of(approval, now);
        return s == ApprovalState.IN_FORCE ? ACTIVE : valueOf(s.name());
    }
}
