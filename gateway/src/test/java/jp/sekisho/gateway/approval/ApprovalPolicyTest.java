package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
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
        Approval approved = applied(onePerson.decide(
                ApprovalFixtures.withConditions(new Conditions("暗号化すること", false, null)),
                Decision.APPROVE_WITH_CONDITIONS,
                ALICE,
                "条件付き",
                NOW));
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

    @Test
    void withdrawClosesAPendingRecordAtOnceAndOnlyAPendingOne() {
        Approval p = ApprovalFixtures.pending();
        assertEquals("REASON_REQUIRED", refused(twoPerson.decide(p, Decision.WITHDRAW, ALICE, "", NOW)));
        // a pending approval waiting for its confirmation can be withdrawn too: the approval is dropped with it
        Approval parked = assertInstanceOf(
                        AwaitingConfirmation.class, twoPerson.decide(p, Decision.APPROVE, ALICE, "答申", NOW))
                .approval();
        Applied withdrawn =
                assertInstanceOf(Applied.class, twoPerson.decide(parked, Decision.WITHDRAW, ALICE, "入力誤り", NOW));
        assertEquals(ApprovalStatus.WITHDRAWN, withdrawn.approval().status());
        assertNull(withdrawn.approval().pending());
        assertNull(withdrawn.record().confirmedBy(), "one person: it lets nothing flow");
        assertEquals(ApprovalStatus.PENDING, withdrawn.record().before());
        assertEquals(ApprovalStatus.WITHDRAWN, withdrawn.record().after());
        assertEquals("入力誤り", withdrawn.record().reason());
        assertEquals(ApprovalState.APPROVAL_WITHDRAWN, ApprovalState.of(withdrawn.approval(), NOW));
        assertEquals("NOTHING_TO_CONFIRM", refused(twoPerson.confirm(withdrawn.approval(), BOB, "x", NOW)));
        for (Decision d : Decision.values()) {
            assertEquals("APPROVAL_FINAL", refused(twoPerson.decide(withdrawn.approval(), d, BOB, "x", NOW)), d.name());
        }

        Approval approved = applied(onePerson.decide(p, Decision.APPROVE, ALICE, "ok", NOW));
        assertEquals("ILLEGAL_TRANSITION", refused(twoPerson.decide(approved, Decision.WITHDRAW, ALICE, "x", NOW)));
        Approval rejected = applied(twoPerson.decide(p, Decision.REJECT, ALICE, "no", NOW));
        assertEquals("ILLEGAL_TRANSITION", refused(twoPerson.decide(rejected, Decision.WITHDRAW, ALICE, "x", NOW)));
    }

    @Test
    void conditionsGivenAtTheMeetingWaitWithTheDecisionAndAreSetWhenConfirmed() {
        Conditions minuted = new Conditions("納品後30日以内に廃棄し報告すること", true, LocalDate.of(2027, 4, 30));
        Approval p = ApprovalFixtures.pending();
        AwaitingConfirmation w = assertInstanceOf(
                AwaitingConfirmation.class,
                twoPerson.decide(p, Decision.APPROVE_WITH_CONDITIONS, ALICE, "条件付きで承認", minuted, NOW));
        assertEquals(minuted, w.pending().conditions(), "the confirmer sees them");
        assertEquals(Conditions.NONE, w.approval().conditions(), "not in force before confirmation");

        Applied done = assertInstanceOf(Applied.class, twoPerson.confirm(w.approval(), BOB, "確認", NOW));
        assertEquals(ApprovalStatus.APPROVED_WITH_CONDITIONS, done.approval().status());
        assertEquals(minuted, done.approval().conditions());
        assertEquals(minuted, done.record().conditions(), "the history keeps what the decision set");

        Approval direct = applied(onePerson.decide(p, Decision.APPROVE_WITH_CONDITIONS, ALICE, "x", minuted, NOW));
        assertEquals(minuted, direct.conditions(), "without the two-person rule: at once");
    }

    @Test
    void approveWithConditionsNeedsTheirTextAndConditionsGoWithNothingElse() {
        Approval p = ApprovalFixtures.pending();
        assertEquals(
                "CONDITIONS_REQUIRED",
                refused(twoPerson.decide(p, Decision.APPROVE_WITH_CONDITIONS, ALICE, "x", null, NOW)));
        assertEquals(
                "CONDITIONS_REQUIRED",
                refused(twoPerson.decide(
                        p, Decision.APPROVE_WITH_CONDITIONS, ALICE, "x", new Conditions(" ", true, null), NOW)),
                "a flag without the text is not the council's conditions");
        assertEquals(
                "CONDITIONS_REQUIRED",
                refused(twoPerson.decide(p, Decision.APPROVE, ALICE, "x", new Conditions("t", false, null), NOW)),
                "conditions with a plain approve would be dropped silently");
        // the consultation's own conditions are enough, and kept when none are given at the meeting
        Approval withText = ApprovalFixtures.withConditions(new Conditions("暗号化すること", false, null));
        Approval kept = applied(onePerson.decide(withText, Decision.APPROVE_WITH_CONDITIONS, ALICE, "x", null, NOW));
        assertEquals("暗号化すること", kept.conditions().text());
        // an empty form is as good as no conditions
        Approval plain = applied(onePerson.decide(p, Decision.APPROVE, ALICE, "x", Conditions.NONE, NOW));
        assertEquals(ApprovalStatus.APPROVED, plain.status());
    }

    @Test
    void theEffectOfADecisionIsComputedWithoutItsConfirmation() {
        Approval p = ApprovalFixtures.pending();
        Applied e = assertInstanceOf(Applied.class, twoPerson.effect(p, Decision.APPROVE, null, NOW));
        assertEquals(ApprovalStatus.APPROVED, e.approval().status());
        assertEquals("ILLEGAL_TRANSITION", refused(twoPerson.effect(p, Decision.SUSPEND, null, NOW)));
    }

    @Test
    void decisionsAreReadInEitherSpellingAndAnUnknownOneNamesEveryChoice() {
        assertEquals(Decision.APPROVE_WITH_CONDITIONS, Decision.fromCli(" Approve_With-Conditions "));
        assertEquals(Decision.WITHDRAW, Decision.parse("withdraw").orElseThrow());
        assertTrue(Decision.parse("approved").isEmpty());
        String m = Decision.unknown("aprove\u202e");
        for (Decision d : Decision.values()) {
            assertTrue(m.contains(d.japanese() + " " + d.cliName()), m);
        }
        assertTrue(m.startsWith("決定は次のいずれかです / the decision must be one of: "), m);
        assertTrue(m.contains("'aproveU+202E'"), "the given value shown, its controls made visible: " + m);
    }

    @Test
    void referenceNumbersAreOneRecordHoweverTyped() {
        assertEquals("8福第301号", RefNumbers.normalise("８福第３０１号"));
        assertEquals("8福第301号", RefNumbers.normalise("\u3000８福第３０１号 "));
        assertEquals("R-1", RefNumbers.normalise("Ｒ－１"));
        assertTrue(RefNumbers.problemForNew("8福第301号").isEmpty());
        assertTrue(RefNumbers.problemForNew("x".repeat(65)).isPresent());
        assertTrue(RefNumbers.problemForNew("8福\u0007").isPresent());
        assertTrue(RefNumbers.problemForNew(RefNumbers.normalise("8福／1")).isPresent(), "full-width / is a /");
        assertTrue(RefNumbers.problemForNew(RefNumbers.normalise(" ")).isPresent());
    }

    @Test
    void dataItemsAreReadAsCodeOrJapaneseOrEnglishLabel() {
        DataItems items = DataItems.builtIn();
        for (String given : List.of("birth_date", "生年月日", "Date of birth", "date of birth", " ＢＩＲＴＨ_ＤＡＴＥ ")) {
            assertEquals("birth_date", items.resolve(given).orElseThrow().code(), given);
        }
        assertTrue(items.resolve("血液型").isEmpty());
        assertEquals("name", items.nearest("氏明", 1).get(0).code());
        String m = items.unknown("氏明");
        assertTrue(m.contains("unknown data item '氏明'") && m.contains("氏名 (name)"), m);
        assertEquals("住所 (address)", items.label("address"));
    }
}
