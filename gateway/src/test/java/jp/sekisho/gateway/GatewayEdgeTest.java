package jp.sekisho.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.support.Curl;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance tests of issue 7 against one gateway (real TLS, real certificates from certs,
 * the real audit store on embedded PostgreSQL, the real curl/openssl/sslscan binaries), once with
 * each TLS provider the gateway can use (tls.provider: openssl, the default where BoringSSL loads,
 * and jdk, the fallback), each with its own PKI, store and audit trail.
 */
@ParameterizedClass(name = "tls.provider: {0}")
@ValueSource(strings = {"openssl", "jdk"})
class GatewayEdgeTest {

    @TempDir
    static Path dir;

    static GatewayFixture fx;
    static TestPki pki;
    static Credential secretariat;
    static Credential operator;
    static Credential nobody;

    /** The provider of this invocation (the lifecycle methods get it as their argument). */
    @Parameter
    String provider;

    @BeforeParameterizedClassInvocation
    static void start(String provider) throws Exception {
        Path dir = GatewayEdgeTest.dir.resolve(provider);
        Procs.require("curl");
        Procs.require("openssl");
        Procs.require("sslscan");
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        secretariat = pki.client("secretariat", "Kurume City", "Council Secretariat");
        operator = pki.client("operator");
        nobody = pki.client("nobody");
        fx = GatewayFixture.start(
                dir,
                pki,
                "gwtest",
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32, \"::1/128\"] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + secretariat.certificate().getSubjectX500Principal().getName()
                        + "\", roles: [secretariat, auditor] }\n" + "  - { sha256: \""
                        + CertificateSummary.sha256(operator.certificate()) + "\", roles: [operator] }\n",
                "",
                "  provider: " + provider + "\n");
        System.out.println(
                "gateway start-up with embedded audit store (PostgreSQL included): " + fx.startMillis + " ms");
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static String subject(Credential c) {
        return c.certificate().getSubjectX500Principal().getName();
    }

    private static RecordedEvent tlsFailed(String reason, Credential presented) throws InterruptedException {
        return fx.awaitEvent(
                EventType.TLS_FAILED,
                e -> reason.equals(e.event().reason())
                        && (presented == null
                                ? e.event().principal() == null
                                : e.event().principal() != null
                                        && subject(presented)
                                                .equals(e.event().principal().subject())));
    }

    @Test
    void whoamiReturnsSubjectSerialFingerprintAndRoles() throws Exception {
        Curl.Response r = Curl.get(pki.caFile(), secretariat, null, fx.url("transfer", "/api/v1/whoami"));
        assertEquals(200, r.status(), r.raw());
        assertTrue(r.body().contains("\"subject\":\"" + subject(secretariat) + "\""), r.body());
        assertTrue(
                r.body()
                        .contains("\"serial\":\""
                                + secretariat.certificate().getSerialNumber().toString(16) + "\""),
                r.body());
        assertTrue(
                r.body().contains("\"sha256\":\"" + CertificateSummary.sha256(secretariat.certificate()) + "\""),
                r.body());
        assertTrue(r.body().contains("\"roles\":[\"SECRETARIAT\",\"AUDITOR\"]"), r.body());

        Curl.Response op = Curl.get(pki.caFile(), operator, null, fx.url("admin", "/api/v1/whoami"));
        assertEquals(200, op.status(), op.raw());
        assertTrue(op.body().contains("\"roles\":[\"OPERATOR\"]"), op.body());

        RecordedEvent accepted = fx.awaitEvent(
                EventType.CONNECTION_ACCEPTED,
                e -> e.event().principal() != null
                        && subject(secretariat).equals(e.event().principal().subject())
                        && "127.0.0.1".equals(e.event().sourceIp())
                        && Integer.valueOf(fx.gateway.port("transfer"))
                                .equals(e.event().listenerPort()));
        assertNotNull(accepted, "CONNECTION_ACCEPTED with the principal");
        assertEquals("127.0.0.1", accepted.event().sourceIp());
        assertEquals(fx.gateway.port("transfer"), accepted.event().listenerPort());
    }

    @Test
    void noCertificateFailsTheHandshake() throws Exception {
        Curl.Response r = Curl.get(pki.caFile(), null, null, fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(200, r.status(), r.raw());
        assertNotEquals(0, r.exit(), r.raw());
        assertNotNull(tlsFailed("NO_CERTIFICATE", null), "TLS_FAILED NO_CERTIFICATE");
    }

    @Test
    void certificateFromAnotherCaFailsTheHandshake() throws Exception {
        TestPki foreign = TestPki.create(Files.createDirectories(fx.dir.resolve("foreign")));
        Credential mallory = foreign.client("mallory");
        Curl.Response r = Curl.get(pki.caFile(), mallory, null, fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(0, r.exit(), r.raw());
        assertNotNull(tlsFailed("UNKNOWN_CA", mallory), "TLS_FAILED UNKNOWN_CA");
    }

    @Test
    void expiredCertificateFailsTheHandshake() throws Exception {
        Credential old = pki.expiredClient("old");
        Curl.Response r = Curl.get(pki.caFile(), old, null, fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(0, r.exit(), r.raw());
        assertNotNull(tlsFailed("EXPIRED", old), "TLS_FAILED EXPIRED");
    }

    @Test
    void serverAuthOnlyCertificateFailsTheHandshake() throws Exception {
        Credential server = pki.server("not-a-client", List.of("not-a-client.example"), List.of());
        Curl.Response r = Curl.get(pki.caFile(), server, null, fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(0, r.exit(), r.raw());
        assertNotNull(tlsFailed("WRONG_USAGE", server), "TLS_FAILED WRONG_USAGE");
    }

    @Test
    void certificateRevokedWhileRunningFailsTheNextHandshake() throws Exception {
        Credential carol = pki.client("carol");
        assertEquals(
                200,
                Curl.get(pki.caFile(), carol, null, fx.url("transfer", "/api/v1/whoami"))
                        .status());
        pki.revoke("carol"); // rewrites crl.pem; no restart
        Curl.Response r = Curl.get(pki.caFile(), carol, null, fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(0, r.exit(), r.raw());
        assertNotNull(tlsFailed("REVOKED", carol), "TLS_FAILED REVOKED");
    }

    @Test
    void disallowedSourceAddressIsClosedBeforeTls() throws Exception {
        Curl.Response r = Curl.get(pki.caFile(), secretariat, "127.0.0.2", fx.url("transfer", "/api/v1/whoami"));
        assertNotEquals(0, r.exit(), r.raw());
        RecordedEvent e = fx.awaitEvent(
                EventType.CONNECTION_REFUSED,
                ev -> "127.0.0.2".equals(ev.event().sourceIp())
                        && "IP_NOT_ALLOWED".equals(ev.event().reason()));
        assertNotNull(e, "CONNECTION_REFUSED IP_NOT_ALLOWED from 127.0.0.2");
        assertEquals(Outcome.DENY, e.event().outcome());
        assertEquals(fx.gateway.port("transfer"), e.event().listenerPort());

        String target = "127.0.0.1:" + fx.gateway.port("transfer");
        Procs.Result refused =
                Procs.runWithInput(20, "", "openssl", "s_client", "-msg", "-connect", target, "-bind", "127.0.0.2:0");
        assertFalse(refused.out().contains("ServerHello"), refused.out());
        // control: from an allowed address the same command does see a ServerHello
        Procs.Result allowed =
                Procs.runWithInput(20, "", "openssl", "s_client", "-msg", "-connect", target, "-bind", "127.0.0.1:0");
        assertTrue(allowed.out().contains("ServerHello"), allowed.out());
        assertTrue(fx.gateway.metrics().value("sekisho_connections_total", "transfer", "DENY", "IP_NOT_ALLOWED") >= 2);
    }

    @Test
    void clientInitiatedRenegotiationIsRefused() {
        // s_client renegotiates on a line "R" (its commands are off with -ign_eof, so stdin stays open
        // two seconds instead); a gateway that allowed it would show a second ServerHello
        String sClient = String.join(
                " ",
                "openssl s_client -tls1_2 -msg -connect 127.0.0.1:" + fx.gateway.port("transfer"),
                "-cert",
                secretariat.certificateFile().toString(),
                "-key",
                secretariat.keyFile().toString(),
                "-CAfile",
                pki.caFile().toString());
        Procs.Result r = Procs.runWithInput(20, "", "sh", "-c", "(printf 'R\\n'; sleep 2) | " + sClient);
        assertTrue(r.out().contains("RENEGOTIATING"), r.out());
        assertEquals(
                1,
                java.util.regex.Pattern.compile("ServerHello$", java.util.regex.Pattern.MULTILINE)
                        .matcher(r.out())
                        .results()
                        .count(),
                "no second handshake: " + r.out());
        assertTrue(r.out().contains("no_renegotiation") || r.out().contains("alert"), r.out());
    }

    @Test
    void allowlistFollowsRouteUpdatesWithoutRestart() throws Exception {
        Curl.Response before = Curl.get(pki.caFile(), secretariat, "127.0.0.5", fx.url("admin", "/api/v1/whoami"));
        assertNotEquals(200, before.status(), before.raw());
        fx.gateway.allowlists().update("admin", List.of(Cidr.parse("127.0.0.5/32")));
        try {
            Curl.Response during = Curl.get(pki.caFile(), secretariat, "127.0.0.5", fx.url("admin", "/api/v1/whoami"));
            assertEquals(200, during.status(), during.raw());
        } finally {
            fx.gateway.allowlists().update("admin", List.of());
        }
        Curl.Response after = Curl.get(pki.caFile(), secretariat, "127.0.0.5", fx.url("admin", "/api/v1/whoami"));
        assertNotEquals(200, after.status(), after.raw());
    }

    @Test
    void adminApisAnswerOnlyOnTheAdminListener() {
        Curl.Response admin = Curl.get(pki.caFile(), nobody, null, fx.url("admin", "/health"));
        assertEquals(200, admin.status(), admin.raw());
        assertTrue(admin.body().contains("\"status\":\"UP\""), admin.body());
        Curl.Response transfer = Curl.get(pki.caFile(), nobody, null, fx.url("transfer", "/health"));
        assertEquals(404, transfer.status(), transfer.raw());
        assertTrue(transfer.body().contains("\"reason\":\"ADMIN_LISTENER_ONLY\""), transfer.body());
    }

    @Test
    void metricsNeedARoleAndCountByListenerOutcomeAndReason() throws Exception {
        Curl.Response noRole = Curl.get(pki.caFile(), nobody, null, fx.url("admin", "/metrics"));
        assertEquals(403, noRole.status(), noRole.raw());
        assertProblem(noRole.body(), 403, "ROLE_REQUIRED");
        assertNotNull(
                fx.awaitEvent(
                        EventType.REQUEST_DENIED,
                        e -> "ROLE_REQUIRED".equals(e.event().reason())
                                && subject(nobody).equals(e.event().principal().subject())),
                "REQUEST_DENIED ROLE_REQUIRED");

        Curl.get(pki.caFile(), secretariat, "127.0.0.3", fx.url("transfer", "/api/v1/whoami"));
        Curl.Response ok = Curl.get(pki.caFile(), operator, null, fx.url("admin", "/metrics"));
        assertEquals(200, ok.status(), ok.raw());
        assertTrue(ok.body().contains("# TYPE sekisho_connections_total counter"), ok.body());
        assertTrue(
                ok.body()
                        .contains(
                                "sekisho_connections_total{listener=\"transfer\",outcome=\"DENY\",reason=\"IP_NOT_ALLOWED\"}"),
                ok.body());
        assertTrue(
                ok.body()
                        .contains(
                                "sekisho_requests_total{listener=\"admin\",method=\"GET\",outcome=\"DENY\",reason=\"ROLE_REQUIRED\"}"),
                ok.body());
    }

    @Test
    void routesWithoutARoleDeclarationAreDeniedToEveryone() throws Exception {
        Curl.Response r = Curl.get(pki.caFile(), operator, null, fx.url("transfer", "/api/v1/test/undeclared"));
        assertEquals(403, r.status(), r.raw());
        assertProblem(r.body(), 403, "ROUTE_NOT_DECLARED");
        assertFalse(r.body().contains("should never be reached"));
    }

    @Test
    void errorsAreProblemDetailsWithoutStackTraces() {
        Curl.Response r = Curl.get(pki.caFile(), operator, null, fx.url("transfer", "/api/v1/no-such-thing"));
        assertEquals(404, r.status(), r.raw());
        assertProblem(r.body(), 404, "NOT_FOUND");
        assertFalse(r.body().contains("at jp.") || r.body().contains("at io."), r.body());
    }

    private static void assertProblem(String body, int status, String reason) {
        assertTrue(body.contains("\"status\":" + status), body);
        assertTrue(body.contains("\"reason\":\"" + reason + "\""), body);
        assertTrue(body.contains("\"type\":\"urn:sekisho:problem:" + reason + "\""), body);
        assertTrue(body.contains("\"title\":"), body);
        Matcher m = Pattern.compile("\"requestId\":\"([0-9a-f]{24})\"").matcher(body);
        assertTrue(m.find(), body);
    }

    @Test
    void sslscanFindsOnlyTls12And13WithAeadSuites() {
        Procs.Result r =
                Procs.run(180, "sslscan", "--no-colour", "--no-heartbleed", "127.0.0.1:" + fx.gateway.port("transfer"));
        String out = r.out();
        assertTrue(out.matches("(?s).*SSLv3\\s+disabled.*"), out);
        assertTrue(out.matches("(?s).*TLSv1\\.0\\s+disabled.*"), out);
        assertTrue(out.matches("(?s).*TLSv1\\.1\\s+disabled.*"), out);
        assertTrue(out.matches("(?s).*TLSv1\\.2\\s+enabled.*"), out);
        assertTrue(out.matches("(?s).*TLSv1\\.3\\s+enabled.*"), out);
        int suites = 0;
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Preferred") || t.startsWith("Accepted")) {
                suites++;
                assertTrue(t.contains("GCM") || t.contains("CHACHA20"), "non-AEAD suite: " + t);
                assertFalse(t.contains("SSLv3") || t.contains("TLSv1.0") || t.contains("TLSv1.1"), t);
            }
        }
        assertTrue(suites >= 3, "sslscan listed no suites:\n" + out);
    }
}
