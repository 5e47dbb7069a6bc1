package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
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

    static final Caller ALICE = new Caller(
            new AuditPrincipal("CN=secretariat,O=Kurume City", "01", "aa"), "127.0.0.1", 50000, 9443, "req-a");
    static final Caller BOB = new Caller(
            new AuditPrincipal("CN=secretariat2,O=Kurume City", "02", "bb"), "127.0.0.1", 50001, 9443, "req-b");

    @BeforeAll
    static void start() {
        stores = new PolicyFixture(dir);
        watcher = stores.watcher(Duration.ofSeconds(5));
        service = new ApprovalService(
                new ApprovalRepository(stores.dataSource(), stores.seal()),
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
}
