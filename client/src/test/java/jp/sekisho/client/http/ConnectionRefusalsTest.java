package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the client says when the gateway refuses the connection, over real TLS with certificates
 * minted here, for both TLS providers: the reason code first, exit 1 for refusals, 3 only when the
 * gateway cannot be reached. With BoringSSL each refusal has its own TLS alert; the JDK's engine
 * sends certificate_unknown for all of them, so the client can only say CERTIFICATE_REFUSED there.
 */
@ParameterizedClass(name = "tls.provider: {0}")
@ValueSource(strings = {"openssl", "jdk"})
class ConnectionRefusalsTest {

    private static final String LISTENERS = """
              admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
              transfer: { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32] }
            """;
    private static final String PRINCIPALS = """
              - { subject: "CN=secretariat,O=Sekisho", roles: [secretariat] }
              - { subject: "CN=mallory,O=Sekisho",     roles: [secretariat] }
            """;

    @Parameter
    String provider;

    @TempDir
    Path dir;

    private boolean openSsl() {
        return provider.equals("openssl");
    }

    private GatewayFixture start(TestPki pki) throws Exception {
        return GatewayFixture.start(
                dir.resolve("gw"), pki, "gwtest", LISTENERS, PRINCIPALS, "", "  provider: " + provider + "\n");
    }

    static CliRun list(TestPki pki, String url, String who, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "approvals",
                "list",
                "--gateway",
                url,
                "--identity",
                pki.dir().resolve(who + ".p12").toString()));
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    /** The run's exit code, and the reason code its error line starts with (after the command's name). */
    static void assertRefusal(int code, String reason, CliRun r) {
        assertEquals(code, r.code(), r.toString());
        String line =
                r.err().lines().filter(l -> !l.contains("warning:")).findFirst().orElse("");
        assertTrue(line.matches("^sekisho [a-z ]+: " + reason + ": .*"), "reason " + reason + " first: " + r);
    }

    @Test
    void aGoodCertificateIsServed() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.client("secretariat");
        try (GatewayFixture gw = start(pki)) {
            CliRun r = list(pki, gw.url("admin", ""), "secretariat");
            assertEquals(0, r.code(), r.toString());
        }
    }

    @Test
    void revokedCertificateIsRefusedAsRevoked() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.client("mallory");
        pki.revoke("mallory");
        try (GatewayFixture gw = start(pki)) {
            CliRun r = list(pki, gw.url("admin", ""), "mallory");
            assertRefusal(1, openSsl() ? "REVOKED" : "CERTIFICATE_REFUSED", r);
            assertTrue(r.err().contains("次に:") && r.err().contains("next:"), r.toString());
        }
    }

    @Test
    void expiredCrlIsRefusedAsCrlExpired() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.client("secretariat");
        CertificateAuthority past = CertificateAuthority.open(
                pki.authority().dir(), null, Clock.offset(Clock.systemUTC(), Duration.ofDays(-2)));
        past.setCrlValidity(Duration.ofDays(1));
        past.resignCrl(); // signed two days ago for one day: past its nextUpdate
        try (GatewayFixture gw = start(pki)) {
            CliRun r = list(pki, gw.url("admin", ""), "secretariat");
            // BoringSSL says certificate_expired; the client's own certificate is valid, so the CRL is what expired
            assertRefusal(1, openSsl() ? "CRL_EXPIRED" : "CERTIFICATE_REFUSED", r);
        }
    }

    @Test
    void addressNotAllowedIsRefusedBeforeTls() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.client("secretariat");
        try (GatewayFixture gw = start(pki)) {
            CliRun r = list(pki, gw.url("transfer", ""), "secretariat");
            assertRefusal(1, "IP_NOT_ALLOWED", r);
        }
    }

    @Test
    void gatewayDownIsUnavailable() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.client("secretariat");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = list(pki, "https://127.0.0.1:" + port, "secretariat");
        assertRefusal(3, "UNAVAILABLE", r);
    }
}
