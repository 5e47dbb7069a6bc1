package jp.sekisho.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.Curl;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's audit findings against a real gateway (real TLS, real certificates, the embedded store):
 * a certificate whose subject is longer than any audit field is still audited, with the cut marked;
 * bad audit-search filters are the caller's mistake (400 QUERY_INVALID, audited), not 503.
 */
class AuditHardeningTest {

    @TempDir
    static Path dir;

    static GatewayFixture fx;
    static TestPki pki;
    static Credential auditor;

    @BeforeAll
    static void start() throws Exception {
        Procs.require("curl");
        Procs.require("openssl");
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        auditor = pki.client("auditor");
        fx = GatewayFixture.start(
                dir,
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + auditor.certificate().getSubjectX500Principal().getName() + "\", roles: [auditor] }\n");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aCaIssuedCertificateWithA1400CharSubjectIsServedAndItsConnectionAudited() throws Exception {
        Credential longOne = pki.client("long-subject", "O".repeat(700), "U".repeat(690));
        String subject = longOne.certificate().getSubjectX500Principal().getName();
        assertTrue(subject.length() > 1390, "subject of " + subject.length() + " chars");

        Curl.Response r = Curl.get(pki.caFile(), longOne, null, fx.url("transfer", "/api/v1/whoami"));
        assertEquals(200, r.status(), r.raw());

        RecordedEvent accepted = fx.awaitEvent(
                EventType.CONNECTION_ACCEPTED,
                e -> e.event().principal() != null
                        && e.event().principal().subject().startsWith(subject.substring(0, 200)));
        assertNotNull(accepted, "CONNECTION_ACCEPTED for the served request");
        String stored = accepted.event().principal().subject();
        assertTrue(stored.contains("\u2026[truncated: " + subject.length() + " chars, sha256="), stored);
        assertTrue(stored.length() <= 1024, "bounded: " + stored.length());
    }

    @Test
    void aSelfSignedCertificateWithA1400CharSubjectGetsItsTlsFailedEvent() throws Exception {
        Path d = Files.createDirectories(dir.resolve("selfsigned"));
        StringBuilder subj = new StringBuilder("/CN=mallory-long");
        for (int i = 0; i < 23; i++) {
            subj.append("/OU=").append(String.valueOf((char) ('a' + i)).repeat(60)); // 64 chars is OpenSSL's bound
        }
        Procs.Result made = Procs.run(
                30,
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                subj.toString(),
                "-keyout",
                d.resolve("k.pem").toString(),
                "-out",
                d.resolve("c.pem").toString());
        assertEquals(0, made.exit(), made.out());

        Procs.Result r = Procs.run(
                20,
                "curl",
                "-sS",
                "--max-time",
                "10",
                "--cacert",
                pki.caFile().toString(),
                "--cert",
                d.resolve("c.pem").toString(),
                "--key",
                d.resolve("k.pem").toString(),
                fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(0, r.exit(), r.out());

        RecordedEvent failed = fx.awaitEvent(
                EventType.TLS_FAILED,
                // RFC 4514 names the last RDN first: the 23rd OU ('w'), and the CN is in the cut-off part
                e -> e.event().principal() != null
                        && e.event()
                                .principal()
                                .subject()
                                .startsWith("OU=" + "w".repeat(60) + ",OU=" + "v".repeat(60)));
        assertNotNull(failed, "TLS_FAILED for the self-signed certificate: " + r.out());
        assertTrue(
                failed.event().principal().subject().contains("\u2026[truncated: "),
                failed.event().principal().subject());
    }

    @Test
    void badAuditSearchFiltersAre400QueryInvalidNamingTheParameterAndAudited() throws Exception {
        String[][] cases = {
            {"source=300.1.1.1/8", "source"},
            {"source=10.0.0.0/33", "source"},
            {"from=yesterday", "from"},
            {"type=NO_SUCH_EVENT", "type"},
            {"outcome=MAYBE", "outcome"},
            {"limit=0", "limit"},
            {"limit=100001", "limit"},
            {"limit=abc", "limit"},
            {"afterSeq=-1", "afterSeq"},
            {"route=" + "r".repeat(1100), "route"},
            {"from=2026-12-03&to=2026-12-01", "from/to"},
            {"since=yesterday", "since"},
            {"before=1.2", "before"},
        };
        for (String[] c : cases) {
            String[] kv = c[0].split("&");
            StringBuilder q = new StringBuilder();
            for (String p : kv) {
                int eq = p.indexOf('=');
                q.append(q.length() == 0 ? "" : "&")
                        .append(p, 0, eq + 1)
                        .append(URLEncoder.encode(p.substring(eq + 1), StandardCharsets.UTF_8));
            }
            Curl.Response r = Curl.get(pki.caFile(), auditor, null, fx.url("admin", "/api/v1/audit/events?" + q));
            assertEquals(400, r.status(), c[0] + ": " + r.raw());
            assertTrue(r.body().contains("\"reason\":\"QUERY_INVALID\""), r.body());
            assertTrue(r.body().contains("\"detail\":\"" + c[1] + ": "), c[0] + ": " + r.body());
        }
        Curl.Response export =
                Curl.get(pki.caFile(), auditor, null, fx.url("admin", "/api/v1/audit/export?source=300.1.1.1/8"));
        assertEquals(400, export.status(), export.raw());
        Curl.Response ok = Curl.get(
                pki.caFile(), auditor, null, fx.url("admin", "/api/v1/audit/events?source=127.0.0.0/8&limit=5"));
        assertEquals(200, ok.status(), ok.raw());

        RecordedEvent denied = fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "QUERY_INVALID".equals(e.event().reason())
                        && e.event().detailJson() != null
                        && e.event().detailJson().contains("300.1.1.1/8"));
        assertNotNull(denied, "the refused search is audited as REQUEST_DENIED QUERY_INVALID");
    }
}
