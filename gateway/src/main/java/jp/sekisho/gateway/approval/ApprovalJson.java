package jp.sekisho.gateway.approval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Approvals as the admin API reads and writes them (docs/openapi.yml); the domain records stay free of Micronaut. */
public final class ApprovalJson {

    private ApprovalJson() {}

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record ConditionsView(
            @Nullable String text,
            boolean deleteAfterDelivery,
            @Nullable LocalDate deletionReportDue) {}

    @Serdeable
    public record PendingView(String decision, String by, Instant at, String reason) {}

    /** An approval with its derived state (IN_FORCE or the reason it is not). */
    @Serdeable
    public record View(
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
            ConditionsView conditions,
            @Nullable String meetingRef,
            String status,
            String state,
            @Nullable PendingView pending,
            long version,
            @Nullable String tamper) {}

    /** What the secretariat enters for a consultation. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record Draft(
            String ref,
            String title,
            String legalBasis,
            @Nullable List<String> departments,
            String contractor,
            @Nullable List<String> subcontractors,
            List<String> dataItems,
            long maxRecords,
            LocalDate validFrom,
            LocalDate validUntil,
            @Nullable ConditionsView conditions,
            @Nullable String meetingRef) {

        public Approval toApproval(String refOverride) {
            ConditionsView c = conditions == null ? new ConditionsView("", false, null) : conditions;
            return new Approval(
                    refOverride != null ? refOverride : ref,
                    title,
                    legalBasis,
                    departments == null ? List.of() : departments,
                    contractor,
                    subcontractors == null ? List.of() : subcontractors,
                    dataItems == null ? List.of() : dataItems,
                    maxRecords,
                    validFrom,
                    validUntil,
                    new Conditions(c.text(), c.deleteAfterDelivery(), c.deletionReportDue()),
                    meetingRef,
                    ApprovalStatus.PENDING,
                    null,
                    null,
                    1);
        }
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record DecisionRequest(String decision, String reason) {}

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record ConfirmRequest(@Nullable String reason) {}

    /** The answer to a decision: what the approval is now, and whether a second person must confirm. */
    @Serdeable
    public record DecisionResult(View approval, boolean awaitingConfirmation, String message) {}

    @Serdeable
    public record HistoryEntry(
            String decision,
            String by,
            @Nullable String confirmedBy,
            Instant at,
            String reason,
            String before,
            String after) {}

    public static View view(Approval a, Instant now) {
        return view(a, now, null);
    }

    /** A row that failed its seal check shows state APPROVAL_TAMPERED and what failed. */
    public static View view(StoredApproval s, Instant now) {
        return view(s.approval(), now, s.tamper());
    }

    private static View view(Approval a, Instant now, String tamper) {
        PendingDecision p = a.pending();
        return new View(
                a.ref(),
                a.title(),
                a.legalBasis(),
                a.departments(),
                a.contractor(),
                a.subcontractors(),
                a.dataItems(),
                a.maxRecords(),
                a.validFrom(),
                a.validUntil(),
                new ConditionsView(
                        a.conditions().text(),
                        a.conditions().deleteAfterDelivery(),
                        a.conditions().deletionReportDue()),
                a.meetingRef(),
                a.status().name(),
                tamper != null ? "APPROVAL_TAMPERED" : ApprovalState.of(a, now).name(),
                p == null ? null : new PendingView(p.decision().cliName(), p.by().subject(), p.at(), p.reason()),
                a.version(),
                tamper);
    }

    public static HistoryEntry entry(DecisionRecord d) {
        return new HistoryEntry(
                d.decision().cliName(),
                d.by().subject(),
                d.confirmedBy() == null ? null : d.confirmedBy().subject(),
                d.at(),
                d.reason(),
                d.before().name(),
                d.after().name());
    }
}
