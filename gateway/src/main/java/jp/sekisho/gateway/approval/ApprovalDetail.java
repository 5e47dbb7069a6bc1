package jp.sekisho.gateway.approval;

import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * Everything the detail page shows of one approval: the consultation, its derived state, its data
 * items from the catalogue, its history, and the decision form as last filled in (with the refusal,
 * if the last attempt was refused).
 *
 * @param tamper what failed the row's seal check, or null
 * @param state  IN_FORCE or the reason it is not (see {@link ApprovalText#state})
 * @param items  the approved items as the catalogue names them, in the consultation's order
 */
public record ApprovalDetail(
        Approval approval,
        @Nullable String tamper,
        String state,
        List<DataItem> items,
        List<DecisionRecord> history,
        DecisionForm form,
        @Nullable PageError error) {

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
        Conditions c = approval.conditions();
        return !c.text().isBlank() || c.deleteAfterDelivery() || c.deletionReportDue() != null;
    }
}
