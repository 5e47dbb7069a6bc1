package jp.sekisho.gateway.approval;

import jp.sekisho.gateway.console.ConsoleForm;

/**
 * The decision form as filled in, kept as typed so a preview or a refusal shows it again unchanged.
 *
 * @param decision       the decision's command-line spelling (approve-with-conditions), or "" for none chosen
 * @param conditionsText the conditions given at the meeting, for approve-with-conditions
 * @param overrideOverdue ticked: decide although the deletion report (廃棄報告) is overdue, for {@code overrideReason}
 */
public record DecisionForm(
        String decision, String reason, String conditionsText, boolean overrideOverdue, String overrideReason) {

    public static final DecisionForm EMPTY = new DecisionForm("", "", "", false, "");

    static DecisionForm of(ConsoleForm f) {
        return new DecisionForm(
                f.get("decision", ""),
                f.get("reason", ""),
                f.get("conditionsText", ""),
                "on".equals(f.get("overrideOverdue", "")),
                f.get("overrideReason", ""));
    }

    /** The override of an overdue deletion report as the service takes it: the reason when ticked, else null. */
    String override() {
        return overrideOverdue ? overrideReason : null;
    }

    public boolean chose(Decision d) {
        return d.cliName().equals(decision);
    }
}
