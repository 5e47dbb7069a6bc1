package jp.sekisho.gateway.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalState;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.transfer.TransferWorld;

/**
 * Routes whose approval is not in force (pending, suspended, revoked, rejected, expired, not yet
 * valid), asked on every transfer endpoint; the two-person rule (the same certificate, and a renewed
 * certificate of the same subject, confirming their own decision); and an approval set APPROVED
 * directly in the database, which the gateway must detect.
 */
class ApprovalAttacksTest extends AttackCategory {

    /** route id, approval ref, the reason its transfers are refused with. */
    private static final String[][] STATES = {
        {"r-pending", "P-PENDING", "APPROVAL_PENDING"},
        {"r-suspended", "P-SUSPENDED", "APPROVAL_SUSPENDED"},
        {"r-revoked", "P-REVOKED", "APPROVAL_REVOKED"},
        {"r-rejected", "P-REJECTED", "APPROVAL_REJECTED"},
        {"r-expired", "P-EXPIRED", "APPROVAL_EXPIRED"},
        {"r-future", "P-FUTURE", "APPROVAL_NOT_YET_VALID"}
    };

    @Override
    void prepare(AttackWorld w) throws Exception {
        TransferWorld t = w.w;
        var services = t.gw.gateway.policy().approvals();
        t.pending("P-PENDING");
        t.approve("P-SUSPENDED", 1000);
        t.decide("P-SUSPENDED", Decision.SUSPEND);
        t.approve("P-REVOKED", 1000);
        t.decide("P-REVOKED", Decision.REVOKE);
        t.pending("P-REJECTED");
        t.decide("P-REJECTED", Decision.REJECT);
        LocalDate today = LocalDate.now(ApprovalState.TOKYO);
        create(t, "P-EXPIRED", today.minusDays(30), today.minusDays(1));
        create(t, "P-FUTURE", today.plusDays(2), today.plusDays(30));
        t.pending("P-TAMPER");
        // two decisions awaiting confirmation: one by a certificate of CN=secretariat on the API, one
        // by the same subject with another certificate (its renewal, as `certs issue --force` gives)
        t.pending("P-SAME");
        t.pending("P-RENEWED");
        assertInstanceOf(
                DecisionOutcome.AwaitingConfirmation.class,
                services.decide("P-RENEWED", Decision.APPROVE, "答申", TransferWorld.ALICE));
        Answer a = RawHttps.send(
                w.tls("secretariat"),
                "127.0.0.1",
                w.port("admin"),
                Req.of(
                        "POST",
                        "/api/v1/approvals/P-SAME/decisions",
                        "{\"decision\":\"approve\",\"reason\":\"答申\"}",
                        "Content-Type",
                        "application/json"));
        assertEquals(202, a.status(), a.toString());
        StringBuilder routes = new StringBuilder();
        for (String[] s : STATES) {
            routes.append(TransferWorld.route(s[0], s[1], null));
        }
        routes.append(TransferWorld.route("r-tamper", "P-TAMPER", null));
        w.routes(routes.toString());
    }

    private static void create(TransferWorld t, String ref, LocalDate from, LocalDate until) {
        Approval d = TransferWorld.draft(ref, 1000);
        Approval a = new Approval(
                d.ref(),
                d.title(),
                d.legalBasis(),
                d.departments(),
                d.contractor(),
                d.subcontractors(),
                d.dataItems(),
                d.maxRecords(),
                from,
                until,
                d.conditions(),
                d.meetingRef(),
                d.status(),
                null,
                null,
                1);
        var services = t.gw.gateway.policy().approvals();
        assertInstanceOf(DecisionOutcome.Applied.class, services.create(a, TransferWorld.ALICE));
        t.decide(ref, Decision.APPROVE);
    }

    private static HostileCase.Attack send(
            String who, String listener, String method, String path, String body, String... headers) {
        return w -> RawHttps.send(w.tls(who), "127.0.0.1", w.port(listener), Req.of(method, path, body, headers));
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        String meta = TusHeaderAttacksTest.meta("a.cms", "0".repeat(64), "1");
        for (String[] s : STATES) {
            String r = "/api/v1/routes/" + s[0];
            Expected e = Expected.refused(403, s[2]);
            l.add(c(s[2] + ": terms for the sender", send("city-sender", "transfer", "GET", r + "/terms", null), e));
            l.add(c(
                    s[2] + ": upload creation",
                    send(
                            "city-sender",
                            "transfer",
                            "POST",
                            r + "/uploads",
                            "",
                            "Tus-Resumable",
                            "1.0.0",
                            "Upload-Length",
                            "10",
                            "Upload-Metadata",
                            meta),
                    e));
            l.add(c(
                    s[2] + ": PATCH",
                    send(
                            "city-sender",
                            "transfer",
                            "PATCH",
                            r + "/uploads/abc",
                            "x",
                            "Tus-Resumable",
                            "1.0.0",
                            "Upload-Offset",
                            "0",
                            "Content-Type",
                            "application/offset+octet-stream"),
                    e));
            l.add(c(s[2] + ": receiver's inbox", send("contractor", "transfer", "GET", r + "/inbox", null), e));
            l.add(c(
                    s[2] + ": payload download",
                    send("contractor", "transfer", "GET", r + "/transfers/abc/payload", null),
                    e));
        }
        l.add(c(
                "the same certificate confirms its own decision",
                send(
                        "secretariat",
                        "admin",
                        "POST",
                        "/api/v1/approvals/P-SAME/confirmations",
                        "{\"reason\":\"確認\"}",
                        "Content-Type",
                        "application/json"),
                Expected.refused(403, "SAME_PERSON")));
        l.add(c(
                "a renewed certificate of the same subject confirms its own decision",
                send(
                        "secretariat",
                        "admin",
                        "POST",
                        "/api/v1/approvals/P-RENEWED/confirmations",
                        "{\"reason\":\"確認\"}",
                        "Content-Type",
                        "application/json"),
                Expected.refused(403, "SAME_PERSON")));
        l.add(c(
                "UPDATE approval SET status='APPROVED' in the database",
                w -> {
                    try (Connection db = w.w.pg.superuser();
                            PreparedStatement st =
                                    db.prepareStatement("UPDATE approval SET status = 'APPROVED' WHERE ref = ?")) {
                        st.setString(1, "P-TAMPER");
                        assertEquals(1, st.executeUpdate());
                    }
                    // no NOTIFY comes with a direct UPDATE: the node's periodic reload (every 5 s) finds it
                    var watcher = w.w.gw.gateway.policy().watcher();
                    org.awaitility.Awaitility.await()
                            .atMost(java.time.Duration.ofSeconds(15))
                            .until(() -> watcher.current()
                                    .route("r-tamper")
                                    .map(r -> watcher.current().tamper(r) != null)
                                    .orElse(false));
                    return send("city-sender", "transfer", "GET", "/api/v1/routes/r-tamper/terms", null)
                            .send(w);
                },
                Expected.refused(403, "APPROVAL_TAMPERED")));
        return l.stream();
    }
}
