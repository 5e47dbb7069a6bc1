package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.certs.Credential;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.approval.StoredApproval;
import jp.sekisho.gateway.support.Curl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: someone with the application role's database access changes approval and route rows
 * directly, on the real PostgreSQL. Each change is detected by its seal: the route's admission
 * refuses with APPROVAL_TAMPERED and an audit event, the approvals API shows APPROVAL_TAMPERED,
 * and the untouched approvals and the gateway's own decisions keep working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApprovalTamperTest {

    @TempDir
    static Path dir;

    private TransferWorld w;

    @BeforeAll
    void start() throws Exception {
        w = new TransferWorld(dir);
        for (String ref : List.of("REF-OK", "REF-PERIOD", "REF-ITEMS", "REF-MAX", "REF-ROLLBACK")) {
            w.approve(ref, 1000);
        }
        w.pending("REF-STATUS");
        w.pending("REF-LINK");
        w.routes("routes:\n" + TransferWorld.route("r-ok", "REF-OK", null)
                + TransferWorld.route("r-status", "REF-STATUS", null)
                + TransferWorld.route("r-period", "REF-PERIOD", null)
                + TransferWorld.route("r-items", "REF-ITEMS", null)
                + TransferWorld.route("r-max", "REF-MAX", null)
                + TransferWorld.route("r-link", "REF-LINK", null)
                + TransferWorld.route("r-rollback", "REF-ROLLBACK", null));
    }

    @AfterAll
    void stop() throws Exception {
        w.close();
    }

    @Test
    void directChangesToApprovalsAndRoutesAreRefusedAndAudited() throws Exception {
        assertEquals(200, terms("r-ok").status());
        assertEquals(403, terms("r-status").status());
        assertEquals(200, terms("r-period").status());

        // the rollback needs an old sealed row: REF-ROLLBACK as approved, before its suspension
        Map<String, Object> approvedRow = row("REF-ROLLBACK");
        w.decide("REF-ROLLBACK", Decision.SUSPEND);
        assertTrue(terms("r-rollback").body().contains("APPROVAL_SUSPENDED"));

        asApp("UPDATE approval SET status = 'APPROVED' WHERE ref = 'REF-STATUS'");
        asApp("UPDATE approval SET valid_until = valid_until + 365 WHERE ref = 'REF-PERIOD'");
        asApp("UPDATE approval SET data_items = array_append(data_items, 'my_number') WHERE ref = 'REF-ITEMS'");
        asApp("UPDATE approval SET max_records = 1000000 WHERE ref = 'REF-MAX'");
        asApp("UPDATE route SET approval_ref = 'REF-OK' WHERE id = 'r-link'");
        asApp("UPDATE approval SET status = 'APPROVED', before_suspension = NULL, version = "
                + approvedRow.get("version") + ", seal = '" + approvedRow.get("seal") + "' WHERE ref = 'REF-ROLLBACK'");
        // a forged approval: another's row and seal under a new reference, and one without a seal
        asApp(
                "INSERT INTO approval SELECT 'REF-FORGED', title, legal_basis, departments, contractor, subcontractors, "
                        + "data_items, max_records, valid_from, valid_until, conditions_text, delete_after_delivery, "
                        + "deletion_report_due, meeting_ref, status, before_suspension, pending_decision, pending_by_subject, "
                        + "pending_by_sha256, pending_at, pending_reason, version, updated_at, seal FROM approval WHERE ref = 'REF-OK'");
        asApp(
                "INSERT INTO approval SELECT 'REF-UNSEALED', title, legal_basis, departments, contractor, subcontractors, "
                        + "data_items, max_records, valid_from, valid_until, conditions_text, delete_after_delivery, "
                        + "deletion_report_due, meeting_ref, status, before_suspension, pending_decision, pending_by_subject, "
                        + "pending_by_sha256, pending_at, pending_reason, version, updated_at, NULL FROM approval WHERE ref = 'REF-OK'");
        w.gw.gateway.policy().watcher().reload();

        for (String route : List.of("r-status", "r-period", "r-items", "r-max", "r-link", "r-rollback")) {
            Curl.Response r = terms(route);
            assertEquals(403, r.status(), route + ": " + r.body());
            assertTrue(r.body().contains("APPROVAL_TAMPERED"), route + ": " + r.body());
            assertNotNull(
                    w.gw.awaitEvent(
                            EventType.REQUEST_DENIED,
                            e -> "APPROVAL_TAMPERED".equals(e.event().reason())
                                    && route.equals(e.event().routeId())),
                    route + ": the refusal is audited");
        }
        assertTrue(terms("r-rollback").body().contains("REF-ROLLBACK"), "the message names the approval");

        for (String ref : List.of(
                "REF-STATUS", "REF-PERIOD", "REF-ITEMS", "REF-MAX", "REF-ROLLBACK", "REF-FORGED", "REF-UNSEALED")) {
            assertNotNull(
                    w.gw.awaitEvent(
                            EventType.APPROVAL_CHANGED,
                            e -> e.event().outcome() == Outcome.ERROR
                                    && "APPROVAL_TAMPERED".equals(e.event().reason())
                                    && ref.equals(e.event().approvalRef())
                                    && e.event().detailJson().contains("problem")),
                    ref + ": the finding is audited once, with what failed");
            Curl.Response view = Curl.get(
                    w.pki.caFile(), credential("secretariat"), null, w.gw.url("admin", "/api/v1/approvals/" + ref));
            assertEquals(200, view.status(), view.body());
            assertTrue(view.body().contains("\"state\":\"APPROVAL_TAMPERED\""), ref + ": " + view.body());
        }
        assertNotNull(w.gw.awaitEvent(
                EventType.ROUTE_CHANGED,
                e -> "APPROVAL_TAMPERED".equals(e.event().reason())
                        && "r-link".equals(e.event().routeId())));
        StoredApproval unsealed =
                w.gw.gateway.policy().approvals().load("REF-UNSEALED").orElseThrow();
        assertTrue(unsealed.tamper().contains("no seal"), unsealed.tamper());
        assertTrue(w.gw.gateway
                .policy()
                .approvals()
                .load("REF-FORGED")
                .orElseThrow()
                .tamper()
                .contains("does not match"));

        // untouched approvals and the gateway's own decisions keep working
        assertEquals(200, terms("r-ok").status());
        w.decide("REF-OK", Decision.SUSPEND);
        assertTrue(terms("r-ok").body().contains("APPROVAL_SUSPENDED"));
        w.decide("REF-OK", Decision.REINSTATE);
        assertEquals(200, terms("r-ok").status());

        // a tampered approval takes no decision but revoke
        var services = w.gw.gateway.policy().approvals();
        DecisionOutcome.Refused refused = assertInstanceOf(
                DecisionOutcome.Refused.class,
                services.decide("REF-STATUS", Decision.APPROVE, "x", TransferWorld.ALICE));
        assertEquals("APPROVAL_TAMPERED", refused.reason());
        DecisionOutcome.Applied revoked = assertInstanceOf(
                DecisionOutcome.Applied.class,
                services.decide("REF-STATUS", Decision.REVOKE, "改ざんのため取消", TransferWorld.ALICE));
        assertEquals(ApprovalStatus.REVOKED, revoked.approval().status());
        assertTrue(!services.load("REF-STATUS").orElseThrow().tampered(), "sealed again, as REVOKED");
        assertTrue(terms("r-status").body().contains("APPROVAL_REVOKED"));
    }

    private Curl.Response terms(String route) {
        return Curl.get(
                w.pki.caFile(),
                credential("city-sender"),
                null,
                w.gw.url("transfer", "/api/v1/routes/" + route + "/terms"));
    }

    private Credential credential(String name) {
        return new Credential(
                name,
                null,
                null,
                w.pki.dir().resolve(name + ".pem"),
                w.pki.dir().resolve(name + ".key"),
                null);
    }

    /** As the gateway's own database role: what a stolen application password allows. */
    private void asApp(String sql) throws Exception {
        try (Connection c = w.gw.store.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate(sql), sql);
        }
    }

    private Map<String, Object> row(String ref) throws Exception {
        try (Connection c = w.gw.store.database().dataSource().getConnection();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT version, seal FROM approval WHERE ref = '" + ref + "'")) {
            rs.next();
            return Map.of("version", rs.getLong("version"), "seal", rs.getString("seal"));
        }
    }
}
