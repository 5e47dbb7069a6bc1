package jp.sekisho.gateway.approval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import jp.sekisho.cli.JapaneseDates;

/** Approvals as the admin API reads and writes them (docs/openapi.yml); the domain records stay free of Micronaut. */
public final class ApprovalJson {

    private ApprovalJson() {}

    /**
     * A date the client wrote that is not one the council writes, or does not exist: DATE_INVALID,
     * with a Japanese and English message naming the field and the accepted forms.
     */
    public static final class DateInvalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        DateInvalid(String field, IllegalArgumentException e) {
            super(field + ": " + e.getMessage(), e);
        }
    }

    /**
     * The council's conditions. {@code deletionReportDue} is read in any form
     * {@link JapaneseDates#parse} accepts (令和9年3月31日, R9.3.31, 2027-03-31) and written as 2027-03-31.
     */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record ConditionsView(
            @Nullable String text,
            boolean deleteAfterDelivery,
            @Nullable String deletionReportDue) {

        static ConditionsView of(Conditions c) {
            return c == null
                    ? null
                    : new ConditionsView(
                            c.text(),
                            c.deleteAfterDelivery(),
                            c.deletionReportDue() == null
                                    ? null
                                    : c.deletionReportDue().toString());
        }

        /** @throws DateInvalid when deletionReportDue is not a council date */
        public Conditions toConditions() {
            return new Conditions(text, deleteAfterDelivery, date("conditions.deletionReportDue", deletionReportDue));
        }
    }

    @Serdeable
    public record PendingView(
            String decision,
            String by,
            Instant at,
            String reason,
            @Nullable ConditionsView conditions) {}

    /** A data item as shown: its code and its labels (氏名 / Name). */
    @Serdeable
    public record ItemView(String code, String japanese, String english) {}

    /** What passed under the approval so far ({@link ApprovalUsage}). */
    @Serdeable
    public record UsageView(long transfers, long records) {}

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
            List<ItemView> items,
            long maxRecords,
            LocalDate validFrom,
            LocalDate validUntil,
            ConditionsView conditions,
            @Nullable String meetingRef,
            String status,
            String state,
            @Nullable PendingView pending,
            @Nullable UsageView usage,
            long version,
            @Nullable String tamper,
            @Nullable Boolean deletionReportOverdue) {

        /** This view with whether the deletion report (廃棄報告) is overdue (期限超過): the lists and detail say so. */
        public View withDeletionReportOverdue(boolean overdue) {
            return new View(
                    ref,
                    title,
                    legalBasis,
                    departments,
                    contractor,
                    subcontractors,
                    dataItems,
                    items,
                    maxRecords,
                    validFrom,
                    validUntil,
                    conditions,
                    meetingRef,
                    status,
                    state,
                    pending,
                    usage,
                    version,
                    tamper,
                    overdue);
        }
    }

    /**
     * What the secretariat enters for a consultation. Dates in any form {@link JapaneseDates#parse}
     * accepts; data items as codes or Japanese or English labels (the service resolves them).
     */
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
            String validFrom,
            String validUntil,
            @Nullable ConditionsView conditions,
            @Nullable String meetingRef) {

        /** @throws DateInvalid when a date is not a council date (answered DATE_INVALID) */
        public Approval toApproval(String refOverride) {
            Conditions c = conditions == null ? Conditions.NONE : conditions.toConditions();
            return new Approval(
                    refOverride != null ? refOverride : ref,
                    title,
                    legalBasis,
                    departments == null ? List.of() : departments,
                    contractor,
                    subcontractors == null ? List.of() : subcontractors,
                    dataItems == null ? List.of() : dataItems,
                    maxRecords,
                    date("validFrom", validFrom),
                    date("validUntil", validUntil),
                    c,
                    meetingRef,
                    ApprovalStatus.PENDING,
                    null,
                    null,
                    1);
        }
    }

    /** A date field: null or blank stays null (a missing date is the validation's to name). */
    static LocalDate date(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JapaneseDates.parse(text);
        } catch (IllegalArgumentException e) {
            throw new DateInvalid(field, e);
        }
    }

    /**
     * A decision: one of {@link Decision#cliName()}, a reason, and with approve-with-conditions the
     * conditions given at the meeting (they replace the consultation's when the decision takes effect).
     */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record DecisionRequest(
            String decision,
            String reason,
            @Nullable ConditionsView conditions,
            @Nullable String overrideOverdue) {}

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
            String after,
            @Nullable ConditionsView conditions) {}

    /** One route under the approval in a preview, with the effect in words ({@link RouteEffect#describe()}). */
    @Serdeable
    public record RouteEffectView(String routeId, String stateBefore, String stateAfter, String effect) {}

    /** {@link DecisionPreview}: what a decision would do; nothing changed. */
    @Serdeable
    public record PreviewView(
            String decision,
            String statusBefore,
            String statusAfter,
            boolean needsSecondPerson,
            List<RouteEffectView> routes) {}

    public static PreviewView preview(Decision d, DecisionPreview p) {
        return new PreviewView(
                d.cliName(),
                p.statusBefore(),
                p.statusAfter(),
                p.needsSecondPerson(),
                p.routes().stream()
                        .map(r -> new RouteEffectView(r.routeId(), r.stateBefore(), r.stateAfter(), r.describe()))
                        .toList());
    }

    public static View view(Approval a, Instant now) {
        return view(a, now, null, null, DataItems.builtIn());
    }

    /** A row that failed its seal check shows state APPROVAL_TAMPERED and what failed. */
    public static View view(StoredApproval s, Instant now) {
        return view(s.approval(), now, s.tamper(), null, DataItems.builtIn());
    }

    /** As above, with what passed under it so far and the item labels from {@code items}. */
    public static View view(StoredApproval s, Instant now, ApprovalUsage usage, DataItems items) {
        return view(s.approval(), now, s.tamper(), usage, items);
    }

    /** An approval just changed (its seal is the gateway's own), with its usage. */
    public static View view(Approval a, Instant now, ApprovalUsage usage, DataItems items) {
        return view(a, now, null, usage, items);
    }

    private static View view(Approval a, Instant now, String tamper, ApprovalUsage usage, DataItems items) {
        PendingDecision p = a.pending();
        return new View(
                a.ref(),
                a.title(),
                a.legalBasis(),
                a.departments(),
                a.contractor(),
                a.subcontractors(),
                a.dataItems(),
                a.dataItems().stream()
                        .map(code -> items.find(code)
                                .map(i -> new ItemView(i.code(), i.japanese(), i.english()))
                                .orElse(new ItemView(code, code, code)))
                        .toList(),
                a.maxRecords(),
                a.validFrom(),
                a.validUntil(),
                ConditionsView.of(a.conditions()),
                a.meetingRef(),
                a.status().name(),
                tamper != null ? "APPROVAL_TAMPERED" : ApprovalState.of(a, now).name(),
                p == null
                        ? null
                        : new PendingView(
                                p.decision().cliName(),
                                p.by().subject(),
                                p.at(),
                                p.reason(),
                                ConditionsView.of(p.conditions())),
                usage == null ? null : new UsageView(usage.transfers(), usage.records()),
                a.version(),
                tamper,
                null);
    }

    public static HistoryEntry entry(DecisionRecord d) {
        return new HistoryEntry(
                d.decision().cliName(),
                d.by().subject(),
                d.confirmedBy() == null ? null : d.confirmedBy().subject(),
                d.at(),
                d.reason(),
                d.before().name(),
                d.after().name(),
                ConditionsView.of(d.conditions()));
    }
}
