package jp.sekisho.gateway.approval;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * A consultation (諮問) and the council's decision on it (答申): what may be handed to whom, how
 * much, when, and under which conditions. Immutable; {@link ApprovalPolicy} makes the next version.
 *
 * @param ref             reference number, unique (e.g. 2総政第158号)
 * @param legalBasis      the ordinance article (e.g. 条例第10条第1項第2号)
 * @param dataItems       approved data item codes
 * @param maxRecords      the most records one transfer may carry
 * @param validFrom       first day in force (Asia/Tokyo)
 * @param validUntil      last day in force (Asia/Tokyo), inclusive
 * @param beforeSuspension the in-force status to return to on reinstatement; null unless SUSPENDED
 * @param pending         a flow-opening decision awaiting its second person; null if none
 * @param version         optimistic-locking counter, one up per change
 */
public record Approval(
        String ref,
        String title,
        String legalBasis,
        List<String> departments,
        String contractor,
        List<String> subcontractors,
        List<String> dataItems,
        long maxRecords,
        LocalDate validFrom,
        LocalDate validUntil,
        Conditions conditions,
        String meetingRef,
        ApprovalStatus status,
        ApprovalStatus beforeSuspension,
        PendingDecision pending,
        long version) {

    public Approval {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(status, "status");
        departments = List.copyOf(departments);
        subcontractors = List.copyOf(subcontractors);
        dataItems = List.copyOf(dataItems);
        conditions = conditions == null ? Conditions.NONE : conditions;
    }

    Approval withStatus(ApprovalStatus next, ApprovalStatus resumeTo, PendingDecision nextPending) {
        return withStatus(next, resumeTo, nextPending, conditions);
    }

    /** The next version with a new status and the conditions a decision set (the council's, given at the meeting). */
    Approval withStatus(
            ApprovalStatus next, ApprovalStatus resumeTo, PendingDecision nextPending, Conditions nextConditions) {
        return new Approval(
                ref,
                title,
                legalBasis,
                departments,
                contractor,
                subcontractors,
                dataItems,
                maxRecords,
                validFrom,
                validUntil,
                nextConditions,
                meetingRef,
                next,
                resumeTo,
                nextPending,
                version + 1);
    }

    Approval withPending(PendingDecision nextPending) {
        return withStatus(status, beforeSuspension, nextPending);
    }

    /**
     * What a consultation as entered becomes when recorded or edited: PENDING, with no decision
     * waiting, under its normalised reference and with its data items as catalogue codes.
     */
    Approval asPending(String ref, List<String> itemCodes, long version) {
        return new Approval(
                ref,
                title,
                legalBasis,
                departments,
                contractor,
                subcontractors,
                itemCodes,
                maxRecords,
                validFrom,
                validUntil,
                conditions,
                meetingRef,
                ApprovalStatus.PENDING,
                null,
                null,
                version);
    }
}
