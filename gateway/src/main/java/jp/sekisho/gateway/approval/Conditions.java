package jp.sekisho.gateway.approval;

import java.time.LocalDate;

/**
 * The council's conditions: free text as minuted, plus the flags the gateway checks itself.
 *
 * @param deleteAfterDelivery the contractor must not keep the data once delivered (gateway purges on acknowledgement)
 * @param deletionReportDue   date by which the contractor's deletion report (廃棄報告) is due; null if none
 */
public record Conditions(String text, boolean deleteAfterDelivery, LocalDate deletionReportDue) {

    public static final Conditions NONE = new Conditions("", false, null);

    public Conditions {
        text = text == null ? "" : text;
    }

    /** No text, no flag, no date: as good as no conditions given (a form sent with its fields empty). */
    public boolean isEmpty() {
        return text.isBlank() && !deleteAfterDelivery && deletionReportDue == null;
    }
}
