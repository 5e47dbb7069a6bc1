package jp.sekisho.gateway.approval;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Set;

/**
 * When an approval's deletion report (廃棄報告) is overdue (期限超過): its conditions set a due date,
 * that date has passed in Tokyo, and no report has been accepted. Only an approval under which data
 * could flow owes one (not one still pending, rejected or withdrawn).
 */
public final class DeletionReportDue {

    private DeletionReportDue() {}

    public static boolean overdue(Approval a, boolean reportAccepted, Instant now) {
        LocalDate due = a.conditions() == null ? null : a.conditions().deletionReportDue();
        if (due == null || reportAccepted) {
            return false;
        }
        ApprovalStatus s = a.status();
        if (s == ApprovalStatus.PENDING || s == ApprovalStatus.REJECTED || s == ApprovalStatus.WITHDRAWN) {
            return false;
        }
        return LocalDate.ofInstant(now, ApprovalState.TOKYO).isAfter(due);
    }

    /** How many of {@code approvals} are overdue, given the references that have an accepted report. */
    public static long overdueCount(Collection<Approval> approvals, Set<String> accepted, Instant now) {
        return approvals.stream()
                .filter(a -> overdue(a, accepted.contains(a.ref()), now))
                .count();
    }
}
