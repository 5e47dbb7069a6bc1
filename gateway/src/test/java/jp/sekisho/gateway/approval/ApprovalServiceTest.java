package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.PolicyFixture;
import jp.sekisho.gateway.policy.PolicyWatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secretariat's use cases on the real stores: every change and every refusal is in the audit log. */
class ApprovalServiceTest {

    @TempDir
    static Path dir;

    static PolicyFixture stores;
    static PolicyWatcher watcher;
    static ApprovalService service;
    static ApprovalRepository repo;

    static final Caller ALICE = new Caller(
            new AuditPrincipal("CN=secretariat,O=Kurume City", "01", "aa"), "127.0.0.1", 50000, 9443, "req-a");
    static final Caller BOB = new Caller(
            new AuditPrincipal("CN=secretariat2,O=Kurume City", "02", "bb"), "127.0.0.1", 50001, 9443, "req-b");

    @BeforeAll
    static void start() {
        stores = new PolicyFixture(dir);
        watcher = stores.watcher(Duration.ofSeconds(5));
        repo = new ApprovalRepository(stores.dataSource(), stores.seal());
        service = new ApprovalService(
                repo,
                new ApprovalPolicy(true),
                DataItems.builtIn(),
                stores.audit().log(),
                watcher,
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws SQLException {
        watcher.close();
        stores.close();
    }

    private static List<RecordedEvent> events(String ref) {
        stores.audit().postgresLog().flush(Duration.ofSeconds(5));
        return stores
                .audit()
                .reader()
                .search(
                        AuditQuery.all().types(Set.of(EventType.APPROVAL_CHANGED, EventType.REQUEST_DENIED)),
                        ALICE.principal())
                .stream()
                .filter(e -> ref.equals(e.event().approvalRef()))
                .toList();
    }

    @Test
    void approveConfirmSuspendAreAllRecordedWithWhoBeforeAfterAndWhy() {
        assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending(), ALICE));
        String ref = ApprovalFixtures.pending().ref();
        assertEquals(
                "APPROVAL_EXISTS",
                assertInstanceOf(Refused.class, service.create(ApprovalFixtures.pending(), BOB))
                        .reason());

        assertInstanceOf(AwaitingConfirmation.class, service.decide(ref, Decision.APPROVE, "答申どおり承認", ALICE));
        assertEquals(
                ApprovalStatus.PENDING,
                watcher.current().approvals().get(ref).status(),
                "not before the second person");
        assertEquals(
                "SAME_PERSON",
                assertInstanceOf(Refused.class, service.confirm(ref, "", ALICE)).reason());
        Applied approved = assertInstanceOf(Applied.class, service.confirm(ref, "確認しました", BOB));
        assertEquals(ApprovalStatus.APPROVED, approved.approval().status());
        assertEquals(
                ApprovalStatus.APPROVED, watcher.current().approvals().get(ref).status(), "this node sees it at once");

        assertInstanceOf(Applied.class, service.decide(ref, Decision.SUSPEND, "委託先で事故", BOB));
        assertEquals(2, service.history(ref).size());

        List<RecordedEvent> events = events(ref);
        List<String> seen = events.stream()
                .map(e -> e.event().type() + "/" + e.event().outcome() + "/"
                        + (e.event().reason() == null ? "" : e.event().reason()))
                .toList();
        assertEquals(
                List.of(
                        "APPROVAL_CHANGED/ALLOW/",
                        "REQUEST_DENIED/DENY/APPROVAL_EXISTS",
                        "APPROVAL_CHANGED/ALLOW/",
                        "REQUEST_DENIED/DENY/SAME_PERSON",
                        "APPROVAL_CHANGED/ALLOW/",
                        "APPROVAL_CHANGED/ALLOW/"),
                seen);
        String confirm = events.get(4).event().detailJson();
        assertTrue(
                confirm.contains("\"before\":\"PENDING\"")
                        && confirm.contains("\"after\":\"APPROVED\"")
                        && confirm.contains("\"by\":\"CN=secretariat,O=Kurume City\"")
                        && confirm.contains("\"confirmedBy\":\"CN=secretariat2,O=Kurume City\"")
                        && confirm.contains("答申どおり承認"),
                confirm);
        assertEquals(
                "CN=secretariat2,O=Kurume City",
                events.get(4).event().principal().subject());
        String suspend = events.get(5).event().detailJson();
        assertTrue(suspend.contains("\"after\":\"SUSPENDED\"") && suspend.contains("委託先で事故"), suspend);
    }

    @Test
    @SuppressWarnings("ArgumentSelectionDefectChecker") // validFrom and validUntil swapped on purpose
    void anInvalidConsultationIsRefusedWithEveryProblemNamed() {
        Approval p = ApprovalFixtures.pending();
        Approval bad = new Approval(
                "R-bad",
                "",
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                List.of("name", "blood_type"),
                p.maxRecords(),
                p.validUntil(),
                p.validFrom(),
                p.conditions(),
                p.meetingRef(),
                ApprovalStatus.APPROVED,
                null,
                null,
                1);
        Refused r = assertInstanceOf(Refused.class, service.create(bad, ALICE));
        assertEquals("INVALID_APPROVAL", r.reason());
        assertTrue(
                r.message().contains("title is required")
                        && r.message().contains("unknown data item 'blood_type'")
                        && r.message().contains("validFrom is after validUntil"),
                r.message());
        assertTrue(service.find("R-bad").isEmpty());
    }

    @Test
    void aFullWidthReferenceIsTheSameRecord() {
        Applied created = assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending("８福第３０１号"), ALICE));
        assertEquals("8福第301号", created.approval().ref(), "stored normalised");
        Refused twice = assertInstanceOf(Refused.class, service.create(ApprovalFixtures.pending("8福第301号"), BOB));
        assertEquals("APPROVAL_EXISTS", twice.reason());
        assertEquals(
                "APPROVAL_EXISTS",
                assertInstanceOf(Refused.class, service.create(ApprovalFixtures.pending(" ８福第301号 "), BOB))
                        .reason());
        assertEquals("8福第301号", service.find("８福第３０１号").orElseThrow().ref());
        assertEquals("8福第301号", service.find("8福第301号").orElseThrow().ref());

        assertInstanceOf(AwaitingConfirmation.class, service.decide("８福第３０１号", Decision.APPROVE, "答申", ALICE));
        assertInstanceOf(Applied.class, service.confirm("8福第301号", "確認", BOB));
        assertEquals(1, service.history("８福第３０１号").size());
        assertEquals(
                ApprovalStatus.APPROVED, service.find("８福第３０１号").orElseThrow().status());
        assertEquals(1, repo.refs().stream().filter(r -> r.contains("福第301号")).count(), "one row");
        // the audit events name the stored reference, whichever form was typed
        assertTrue(events("8福第301号").size() >= 4);
        assertTrue(events("８福第３０１号").isEmpty());
    }

    @Test
    void aReferenceStoredBeforeNormalisationIsFoundByItsNormalForm() {
        // as an earlier version stored it: the row is sealed with its ref, so it is never rewritten
        assertTrue(repo.create(ApprovalFixtures.pending("９福第１号"), Instant.now()));
        watcher.reload();
        assertEquals("９福第１号", service.find("9福第1号").orElseThrow().ref());
        assertEquals("９福第１号", service.find("９福第１号").orElseThrow().ref());
        assertFalse(service.load("9福第1号").orElseThrow().tampered());
        Refused again = assertInstanceOf(Refused.class, service.create(ApprovalFixtures.pending("9福第1号"), ALICE));
        assertEquals("APPROVAL_EXISTS", again.reason());
        assertTrue(again.message().contains("９福第１号"), again.message());
        Applied withdrawn =
                assertInstanceOf(Applied.class, service.decide("9福第1号", Decision.WITHDRAW, "旧版で登録した重複", ALICE));
        assertEquals("９福第１号", withdrawn.approval().ref());
    }

    @Test
    void aReferenceTooLongOrWithControlsIsRefused() {
        for (String bad : List.of("R".repeat(65), "R-\u0007", "R-\u202e1", "R/1", "　")) {
            Refused r = assertInstanceOf(Refused.class, service.create(ApprovalFixtures.pending(bad), ALICE), bad);
            assertEquals("INVALID_APPROVAL", r.reason(), bad);
        }
        assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending("R".repeat(64)), ALICE));
    }

    @Test
    void withdrawTakesAPendingRecordOutWithItsReasonInTheHistoryAndTheAuditLog() {
        String ref = "R-withdraw";
        assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending(ref), ALICE));
        assertEquals(
                "REASON_REQUIRED",
                assertInstanceOf(Refused.class, service.decide(ref, Decision.WITHDRAW, " ", ALICE))
                        .reason());
        Applied done = assertInstanceOf(Applied.class, service.decide(ref, Decision.WITHDRAW, "入力誤りのため取下げ", BOB));
        assertEquals(ApprovalStatus.WITHDRAWN, done.approval().status());
        assertEquals(
                ApprovalStatus.WITHDRAWN, watcher.current().approvals().get(ref).status());
        List<DecisionRecord> h = service.history(ref);
        assertEquals(1, h.size());
        assertEquals(Decision.WITHDRAW, h.get(0).decision());
        assertEquals("入力誤りのため取下げ", h.get(0).reason());
        assertEquals(ApprovalStatus.PENDING, h.get(0).before());
        assertEquals(ApprovalStatus.WITHDRAWN, h.get(0).after());
        assertEquals(
                "APPROVAL_FINAL",
                assertInstanceOf(Refused.class, service.decide(ref, Decision.APPROVE, "x", ALICE))
                        .reason());
        assertEquals(
                "ILLEGAL_TRANSITION",
                assertInstanceOf(Refused.class, service.update(ApprovalFixtures.pending(ref), ALICE))
                        .reason(),
                "a withdrawn record is not edited either");

        List<String> seen = events(ref).stream()
                .map(e -> e.event().type() + "/"
                        + (e.event().reason() == null ? "" : e.event().reason()))
                .toList();
        assertEquals(
                List.of(
                        "APPROVAL_CHANGED/",
                        "REQUEST_DENIED/REASON_REQUIRED",
                        "APPROVAL_CHANGED/",
                        "REQUEST_DENIED/APPROVAL_FINAL",
                        "REQUEST_DENIED/ILLEGAL_TRANSITION"),
                seen);
        String detail = events(ref).get(2).event().detailJson();
        assertTrue(
                detail.contains("\"decision\":\"withdraw\"")
                        && detail.contains("\"before\":\"PENDING\"")
                        && detail.contains("\"after\":\"WITHDRAWN\"")
                        && detail.contains("入力誤りのため取下げ"),
                detail);
    }

    @Test
    void conditionsGivenAtTheDecisionAreStoredWhenTheSecondMemberConfirms() {
        String ref = "R-conditions";
        assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending(ref), ALICE));
        assertEquals(
                "CONDITIONS_REQUIRED",
                assertInstanceOf(
                                Refused.class,
                                service.decide(ref, Decision.APPROVE_WITH_CONDITIONS, "条件付き", null, ALICE))
                        .reason());
        Conditions minuted = new Conditions("委託終了後、データを消去し報告すること", true, LocalDate.of(2027, 4, 30));
        AwaitingConfirmation w = assertInstanceOf(
                AwaitingConfirmation.class,
                service.decide(ref, Decision.APPROVE_WITH_CONDITIONS, "条件付きで承認", minuted, ALICE));
        assertEquals(minuted, w.pending().conditions());

        // stored with the pending decision, under the row's seal (v2), read back as the confirmer sees it
        StoredApproval waiting = service.load(ref).orElseThrow();
        assertFalse(waiting.tampered(), waiting.tamper());
        assertEquals(minuted, waiting.approval().pending().conditions());
        assertEquals(Conditions.NONE, waiting.approval().conditions(), "not in force before confirmation");
        assertNull(watcher.reload().tamperedApprovals().get(ref));

        Applied done = assertInstanceOf(Applied.class, service.confirm(ref, "確認", BOB));
        assertEquals(minuted, done.approval().conditions());
        StoredApproval stored = service.load(ref).orElseThrow();
        assertFalse(stored.tampered(), stored.tamper());
        assertEquals(minuted, stored.approval().conditions());
        assertEquals(ApprovalStatus.APPROVED_WITH_CONDITIONS, stored.approval().status());
        assertEquals(minuted, service.history(ref).get(0).conditions());
        assertTrue(
                events(ref).stream()
                        .anyMatch(e -> e.event().detailJson().contains("委託終了後、データを消去し報告すること")
                                && e.event().detailJson().contains("\"confirmedBy\"")),
                "the confirmation's event carries the conditions");
    }

    @Test
    void theConditionsOfAPendingDecisionAreCoveredByTheSeal() throws SQLException {
        String ref = "R-seal-v2";
        assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending(ref), ALICE));
        service.decide(ref, Decision.APPROVE_WITH_CONDITIONS, "条件付き", new Conditions("暗号化して送ること", false, null), ALICE);
        try (var c = stores.superuser();
                var ps = c.prepareStatement("UPDATE approval SET pending_conditions_text = ? WHERE ref = ?")) {
            ps.setString(1, "条件なし");
            ps.setString(2, ref);
            assertEquals(1, ps.executeUpdate());
        }
        assertTrue(service.load(ref).orElseThrow().tampered(), "the conditions the confirmer would see were changed");
        assertEquals(
                "APPROVAL_TAMPERED",
                assertInstanceOf(Refused.class, service.confirm(ref, "確認", BOB)).reason());
    }

    @Test
    void aPreviewOfAnUnknownApprovalOrAnIllegalDecisionIsRefused() {
        assertEquals(
                "APPROVAL_UNKNOWN",
                assertThrows(
                                DecisionRefusedException.class,
                                () -> service.preview("R-none", Decision.SUSPEND, Instant.now()))
                        .reason());
        assertInstanceOf(Applied.class, service.create(ApprovalFixtures.pending("R-preview"), ALICE));
        assertEquals(
                "ILLEGAL_TRANSITION",
                assertThrows(
                                DecisionRefusedException.class,
                                () -> service.preview("R-preview", Decision.SUSPEND, Instant.now()))
                        .reason());
        DecisionPreview p = service.preview("Ｒ－ｐｒｅｖｉｅｗ", Decision.APPROVE, Instant.now());
        assertEquals("PENDING", p.statusBefore());
        assertEquals("APPROVED", p.statusAfter());
        assertTrue(p.needsSecondPerson());
        assertTrue(p.routes().isEmpty());
        assertEquals(1, service.find("R-preview").orElseThrow().version(), "nothing changed");
    }

    @Test
    void dataItemsGivenByLabelAreStoredAsCodes() {
        Approval p = ApprovalFixtures.pending("R-labels");
        Approval labelled = new Approval(
                p.ref(),
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                List.of("氏名", "Address", "birth_date", "住所"),
                p.maxRecords(),
                p.validFrom(),
                p.validUntil(),
                p.conditions(),
                p.meetingRef(),
                ApprovalStatus.PENDING,
                null,
                null,
                1);
        Applied a = assertInstanceOf(Applied.class, service.create(labelled, ALICE));
        assertEquals(List.of("name", "address", "birth_date"), a.approval().dataItems());
    }
}
