package jp.sekisho.gateway.approval;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One line of the approvals list.
 *
 * @param state the derived state now (IN_FORCE or the reason it is not; APPROVAL_TAMPERED for a row
 *              that fails its seal)
 * @param usage the transfers and records that passed under it so far
 * @param deletionReportOverdue the deletion report (廃棄報告) is past its due date and none was accepted
 */
public record ApprovalRow(
        String ref,
        String title,
        String status,
        String state,
        LocalDate validFrom,
        LocalDate validUntil,
        ApprovalUsage usage,
        boolean deletionReportOverdue) {

    static ApprovalRow of(StoredApproval s, Instant now, ApprovalUsage usage, boolean deletionReportOverdue) {
        Approval a = s.approval();
        return new ApprovalRow(
                a.ref(),
                a.title(),
                a.status().name(),
                ApprovalText.state(s, now),
                a.validFrom(),
                a.validUntil(),
                usage,
                deletionReportOverdue);
    }

    /** Worth a word beside the status: the period or the seal says more than the status does. */
    public boolean stateNotable() {
        return !state.equals("IN_FORCE") && !state.equals("APPROVAL_" + status) && !status.equals("PENDING");
    }
}
