package jp.sekisho.gateway.approval;

import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * Everything the detail page shows of one approval: the consultation, its derived state, its data
 * items from the catalogue, what passed under it so far, its history, and the decision form as last
 * filled in, with the preview of its effect or the refusal of the last attempt.
 *
 * @param tamper what failed the row's seal check, or null
 * @param state  IN_FORCE or the reason it is not (see {@link ApprovalText#state})
 * @param items   the approved items as the catalogue names them, in the consultation's order
 * @param preview what the decision in {@code form} would do (action=preview), or null
 * @param deletionReportOverdue the deletion report (廃棄報告) is past its due date and none was accepted:
 *     reinstating or approving again needs the override
 */
public record ApprovalDetail(
        Approval approval,
        @Nullable String tamper,
        String state,
        List<DataItem> items,
        ApprovalUsage usage,
        List<DecisionRecord> history,
        DecisionForm form,
        @Nullable DecisionPreview preview,
        @Nullable PageError error,
        boolean deletionReportOverdue) {

    public ApprovalDetail {
        items = List.copyOf(items);
        history = List.copyOf(history);
    }

    public String ref() {
        return approval.ref();
    }

    public List<Decision> decisions() {
        return List.of(Decision.values());
    }

    public boolean hasConditions() {
        return !approval.conditions().isEmpty();
    }

    /** The conditions a decision set (approve-with-conditions given at the meeting), or null when it set none. */
    public static String conditionsOf(DecisionRecord d) {
        return d.conditions() == null || d.conditions().text().isBlank()
                ? null
                : d.conditions().text();
    }
}
