package jp.sekisho.gateway.report;

import java.time.Instant;
import java.time.LocalDate;

/** Where the contractor's deletion report (廃棄報告) stands for one approval, on the day of the report. */
public sealed interface DeletionStatus {

    /** The conditions set no due date: no report is asked for (yet). */
    record NotDue() implements DeletionStatus {}

    /** Due by {@code due}, not yet submitted, not yet late. */
    record DueBy(LocalDate due) implements DeletionStatus {}

    /** Due by {@code due}, which has passed, and none was submitted. */
    record Overdue(LocalDate due) implements DeletionStatus {}

    /**
     * The newest accepted report (table deletion_report).
     *
     * @param signer      the subject of the certificate that signed it
     * @param responsible the person the manifest names as responsible
     * @param transfers   how many transfers it accounts for
     */
    record Submitted(Instant at, String signer, String responsible, int transfers, Instant deletedUntil)
            implements DeletionStatus {}

    /** The stable name used in Markdown, JSON-ish summaries and tests. */
    default String code() {
        if (this instanceof NotDue) {
            return "NOT_DUE";
        }
        if (this instanceof DueBy) {
            return "DUE";
        }
        return this instanceof Overdue ? "OVERDUE" : "SUBMITTED";
    }
}
