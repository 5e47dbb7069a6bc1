package jp.sekisho.gateway.approval;

import jp.sekisho.gateway.console.ConsoleForm;

/**
 * The decision form as filled in, kept as typed so a preview or a refusal shows it again unchanged.
 *
 * @param decision       the decision's command-line spelling (approve-with-conditions), or "" for none chosen
 * @param conditionsText the conditions given at the meeting, for approve-with-conditions
 */
public record DecisionForm(String decision, String reason, String conditionsText) {

    public static final DecisionForm EMPTY = new DecisionForm("", "", "");

    static DecisionForm of(ConsoleForm f) {
        return new DecisionForm(f.get("decision", ""), f.get("reason", ""), f.get("conditionsText", ""));
    }

    public boolean chose(Decision d) {
        return d.cliName().equals(decision);
    }
}
