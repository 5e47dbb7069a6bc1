package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import org.junit.jupiter.api.Test;

class ApprovalPolicyTest {

    static final Instant NOW = ApprovalFixtures.NOW;
    static final Actor ALICE = new Actor("CN=secretariat,O=Kurume City", "aa");
    static final Actor BOB = new Actor("CN=secretariat2,O=Kurume City", "bb");

    final ApprovalPolicy twoPerson = new ApprovalPolicy(true);
    final ApprovalPolicy onePerson = new ApprovalPolicy(false);

    static Approval applied(DecisionOutcome o) {
        return assertInstanceOf(Applied.class, o, () -> "expected Applied, got " + o)
                .approval();
    }

    static String refused(DecisionOutcome o) {
        return assertInstanceOf(Refused.class, o, () -> "expected Refused, got " + o)
                .reason();
    }

    @Test
    void approvalTakesEffectOnlyWhenASecondPersonConfirms() {
        DecisionOutcome first = twoPerson.decide(ApprovalFixtures.pending(), Decision.APPROVE, ALICE, "答申どおり", NOW);
        Approval parked = assertInstanceOf(AwaitingConfirmation.class, first).approval();
        assertEquals(ApprovalStatus.PENDING, parked.status(), "not in force before confirmation");
        assertEquals(ApprovalState.APPROVAL_PENDING, ApprovalState.of(parked, NOW));

        assertEquals("SAME_PERSON", refused(twoPerson.confirm(parked, ALICE, "", NOW)));

        DecisionOutcome second = twoPerson.confirm(parked, BOB, "確認", NOW);
        Applied done = assertInstanceOf(Applied.class, second);
        assertEquals(ApprovalStatus.APPROVED, done.approval().status());
        assertNull(done.approval().pending());
        assertEquals(ALICE, done.record().by());
        assertEquals(BOB, done.record().confirmedBy());
        assertEquals(ApprovalStatus.PENDING, done.record().before());
        assertEquals(ApprovalStatus.APPROVED, done.record().after());
        assertEquals(ApprovalState.IN_FORCE, ApprovalState.of(done.approval(), NOW));
    }

    @Test
    void suspendAndRevokeActAtOnceFromOnePerson() {
        Approval approved = applied(
                onePerson.decide(ApprovalFixtures.pending(), Decision.APPROVE_WITH_CONDITIONS, ALICE, "条件付き", NOW));
        Approval suspended = applied(twoPerson.decide(approved, Decision.SUSPEND, BOB, "漏えいの疑い", NOW));
        assertEquals(ApprovalStatus.SUSPENDED, suspended.status());
        assertEquals(ApprovalState.APPROVAL_SUSPENDED, ApprovalState.of(suspended, NOW));

        Approval parked = assertInstanceOf(
                        AwaitingConfirmation.class, twoPerson.decide(suspended, Decision.REINSTATE, BOB, "調査完了", NOW))
                .approval();
        Approval reinstated = applied(twoPerson.confirm(parked, ALICE, null, NOW));
        assertEquals(
                ApprovalStatus.APPROVED_WITH_CONDITIONS,
                reinstated.status(),
                "back to the status it was suspended from");

        Approval revoked = applied(twoPerson.decide(reinstated, Decision.REVOKE, ALICE, "契約解除", NOW));
        assertEquals(ApprovalState.APPROVAL_REVOKED, ApprovalState.of(revoked, NOW));
        assertEquals("APPROVAL_FINAL", refused(twoPerson.decide(revoked, Decision.REINSTATE, ALICE, "x", NOW)));
        assertEquals("APPROVAL_FINAL", refused(twoPerson.decide(revoked, Decision.REVOKE, ALICE, "x", NOW)));
    }

    @Test
    void illegalTransitionsAreRefusedWithAReason() {
        Approval p = ApprovalFixtures.pending();
        assertEquals("ILLEGAL_TRANSITION", refused(twoPerson.decide(p, Decision.SUSPEND, ALICE, "x", NOW)));
        assertEquals("ILLEGAL_TRANSITION", refused(twoPerson.decide(p, Decision.REINSTATE, ALICE, "x", NOW)));
        Approval rejected = applied(twoPerson.decide(p, Decision.REJECT, ALICE, "目的外", NOW));
        assertEquals(ApprovalState.APPROVAL_REJECTED, ApprovalState.of(rejected, NOW));
        assertEquals("ILLEGAL_TRANSITION", refused(twoPerson.decide(rejected, Decision.APPROVE, ALICE, "x", NOW)));
        assertEquals("NOTHING_TO_CONFIRM", refused(twoPerson.confirm(p, BOB, "x", NOW)));
        assertEquals("REASON_REQUIRED", refused(twoPerson.decide(p, Decision.APPROVE, ALICE, " ", NOW)));
    }

    @Test
    void aSuspensionClearsAPendingReinstatementSoItCannotBeConfirmedLater() {
        Approval approved = applied(onePerson.decide(ApprovalFixtures.pending(), Decision.APPROVE, ALICE, "ok", NOW));
        Approval suspended = applied(twoPerson.decide(approved, Decision.SUSPEND, ALICE, "stop", NOW));
        Approval parked = assertInstanceOf(
                        AwaitingConfirmation.class,
                        twoPerson.decide(suspended, Decision.REINSTATE, ALICE, "resume", NOW))
                .approval();
        Approval revoked = applied(twoPerson.decide(parked, Decision.REVOKE, BOB, "end", NOW));
        assertNull(revoked.pending());
        assertEquals("NOTHING_TO_CONFIRM", refused(twoPerson.confirm(revoked, BOB, "x", NOW)));
    }

    @Test
    void thePeriodIsCheckedInTokyoTimeBothEndsInclusive() {
        Approval a = applied(onePerson.decide(ApprovalFixtures.pending(), Decision.APPROVE, ALICE, "ok", NOW));
        // 2026-04-01 00:00 JST = 2026-03-31T15:00Z
        assertEquals(ApprovalState.APPROVAL_NOT_YET_VALID, ApprovalState.of(a, Instant.parse("2026-03-31T14:59:59Z")));
        assertEquals(ApprovalState.IN_FORCE, ApprovalState.of(a, Instant.parse("2026-03-31T15:00:00Z")));
        // the last day, 2027-03-31, ends at 2027-03-31T15:00Z
        assertEquals(ApprovalState.IN_FORCE, ApprovalState.of(a, Instant.parse("2027-03-31T14:59:59Z")));
        assertEquals(ApprovalState.APPROVAL_EXPIRED, ApprovalState.of(a, Instant.parse("2027-03-31T15:00:00Z")));
    }
}
