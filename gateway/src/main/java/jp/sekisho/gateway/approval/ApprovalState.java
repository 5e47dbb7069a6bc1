package jp.sekisho.gateway.approval;

import java.time.Instant;
import java.time.ZoneId;

/**
 * Whether an approval is in force at an instant, and if not, why: the reason codes a refused
 * request carries. Dates are council dates, in Asia/Tokyo, both ends inclusive.
 */
public enum ApprovalState {
    IN_FORCE,
    APPROVAL_PENDING,
    APPROVAL_REJECTED,
    APPROVAL_SUSPENDED,
    APPROVAL_REVOKED,
    APPROVAL_WITHDRAWN,
    APPROVAL_NOT_YET_VALID,
    APPROVAL_EXPIRED;

    public static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    public static ApprovalState of(Approval a, Instant now) {
        switch (a.status()) { // every status named: a new one fails the build (MissingCasesInEnumSwitch)
            case PENDING -> {
                return APPROVAL_PENDING;
            }
            case REJECTED -> {
                return APPROVAL_REJECTED;
            }
            case SUSPENDED -> {
                return APPROVAL_SUSPENDED;
            }
            case REVOKED -> {
                return APPROVAL_REVOKED;
            }
            case WITHDRAWN -> {
                return APPROVAL_WITHDRAWN;
            }
            case APPROVED, APPROVED_WITH_CONDITIONS -> {
                // in force within its period, below
            }
        }
        if (now.isBefore(a.validFrom().atStartOfDay(TOKYO).toInstant())) {
            return APPROVAL_NOT_YET_VALID;
        }
        if (!now.isBefore(a.validUntil().plusDays(1).atStartOfDay(TOKYO).toInstant())) {
            return APPROVAL_EXPIRED;
        }
        return IN_FORCE;
    }
}
