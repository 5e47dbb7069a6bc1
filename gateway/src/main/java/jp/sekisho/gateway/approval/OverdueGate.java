package jp.sekisho.gateway.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * A decision that lets data flow again (reinstate, approve) on an approval whose deletion report
 * (廃棄報告) is overdue goes ahead only with an explicit override and its reason, which is then written
 * into the decision's reason: the history and the APPROVAL_CHANGED event keep it.
 */
final class OverdueGate {

    /** What the gate says about one decision. */
    sealed interface Verdict {
        /** Go ahead, recording {@code reason}. */
        record Proceed(String reason) implements Verdict {}

        /** DELETION_REPORT_OVERDUE, with a bilingual message. */
        record Refuse(String message) implements Verdict {}
    }

    private final Predicate<String> reportAccepted;
    private final Clock clock;

    /** @param reportAccepted whether an approval (stored reference) has an accepted deletion report */
    OverdueGate(Predicate<String> reportAccepted, Clock clock) {
        this.reportAccepted = reportAccepted;
        this.clock = clock;
    }

    boolean overdue(Approval a) {
        Instant now = clock.instant();
        // the store is asked only about an approval whose report is due and past its date
        return DeletionReportDue.overdue(a, false, now)
                && DeletionReportDue.overdue(a, reportAccepted.test(a.ref()), now);
    }

    Verdict judge(Approval a, Decision decision, String reason, String override) {
        if (!decision.opensFlow() || !overdue(a)) {
            return new Verdict.Proceed(reason);
        }
        if (override == null || override.isBlank()) {
            return new Verdict.Refuse("廃棄報告が期限(" + a.conditions().deletionReportDue() + ")を過ぎても未提出です。理由を付けて"
                    + "明示的に上書きしてください / the deletion report was due by "
                    + a.conditions().deletionReportDue() + " and none was accepted: " + decision.cliName()
                    + " needs an explicit override with a reason");
        }
        // short, so the history's reason column still shows it: the due date is in the conditions
        return new Verdict.Proceed(
                (reason == null ? "" : reason) + " [期限超過の上書き overdue override: " + override.strip() + "]");
    }
}
