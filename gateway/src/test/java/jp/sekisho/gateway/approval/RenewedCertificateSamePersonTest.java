package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a renewed certificate (same subject, new key: what {@code certs issue --force} gives)
 * is the same person, so it cannot confirm its holder's own decision; another member can.
 */
class RenewedCertificateSamePersonTest {

    static final String LISTENERS = """
              admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
            """;
    static final String PRINCIPALS = """
              - { subject: "CN=secretariat,O=Sekisho",  roles: [secretariat] }
              - { subject: "CN=secretariat2,O=Sekisho", roles: [secretariat] }
            """;

    @TempDir
    Path dir;

    @Test
    void aRenewedCertificateCannotConfirmItsHoldersOwnDecision() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        Credential alice = pki.client("secretariat");
        Credential bob = pki.client("secretariat2");
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), pki, LISTENERS, PRINCIPALS)) {
            String base = gw.url("admin", "/api/v1/approvals");
            AdminCall created = AdminCall.send(pki.caFile(), alice, "POST", base, AdminCall.draftJson("R-renew"));
            assertEquals(201, created.status(), created.body());
            AdminCall decided = AdminCall.send(
                    pki.caFile(),
                    alice,
                    "POST",
                    base + "/R-renew/decisions",
                    "{\"decision\":\"approve\",\"reason\":\"答申どおり\"}");
            assertEquals(202, decided.status(), decided.body());

            // the renewal: same name, so the same subject, with a new key and so a new fingerprint
            Credential renewed = pki.authority()
                    .issue(new IssueRequest(
                            "secretariat",
                            CertKind.CLIENT,
                            null,
                            null,
                            List.of(),
                            List.of(),
                            IssueRequest.DEFAULT_DAYS,
                            null,
                            null,
                            true));
            assertEquals(
                    alice.certificate().getSubjectX500Principal(),
                    renewed.certificate().getSubjectX500Principal());
            assertNotEquals(
                    alice.certificate().getPublicKey(), renewed.certificate().getPublicKey());

            AdminCall self = AdminCall.send(
                    pki.caFile(), renewed, "POST", base + "/R-renew/confirmations", "{\"reason\":\"確認\"}");
            assertEquals(403, self.status(), self.body());
            assertTrue(self.body().contains("SAME_PERSON"), self.body());
            assertNotNull(
                    gw.awaitEvent(
                            EventType.REQUEST_DENIED,
                            e -> "SAME_PERSON".equals(e.event().reason())
                                    && "R-renew".equals(e.event().approvalRef())),
                    "the refusal is audited");

            AdminCall other =
                    AdminCall.send(pki.caFile(), bob, "POST", base + "/R-renew/confirmations", "{\"reason\":\"確認\"}");
            assertEquals(200, other.status(), other.body());
            assertTrue(other.body().contains("\"APPROVED\""), other.body());
        }
    }
}
