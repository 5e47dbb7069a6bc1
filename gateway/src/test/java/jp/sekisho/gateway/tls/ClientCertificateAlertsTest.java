package jp.sekisho.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.ClientTls;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS alert a client receives for each client-certificate refusal, over a real handshake with
 * certificates minted here: with BoringSSL each refusal has its own alert ({@link OpenSslAlerts});
 * the JDK's SSLEngine says certificate_unknown for all of them (documented, asserted so that a JDK
 * that learns better shows up here).
 */
@ParameterizedClass(name = "tls.provider: {0}")
@ValueSource(strings = {"openssl", "jdk"})
class ClientCertificateAlertsTest {

    private static final String LISTENERS =
            "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n";
    private static final String PRINCIPALS = "  - { subject: \"CN=alice,O=Sekisho\", roles: [sender] }\n";

    @Parameter
    String provider;

    @TempDir
    Path dir;

    private String expect(String openSslAlert) {
        return provider.equals("openssl") ? openSslAlert : "certificate_unknown";
    }

    @Test
    void revokedCertificate() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        Credential alice = pki.client("alice");
        pki.revoke("alice");
        try (GatewayFixture gw = start(pki)) {
            assertEquals(expect("certificate_revoked"), alertFor(gw, pki, alice));
        }
    }

    @Test
    void expiredCertificate() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        Credential old = pki.expiredClient("alice");
        try (GatewayFixture gw = start(pki)) {
            assertEquals(expect("certificate_expired"), alertFor(gw, pki, old));
        }
    }

    @Test
    void expiredCrl() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        Credential alice = pki.client("alice");
        // a CRL signed two days ago, valid for one: past its nextUpdate
        CertificateAuthority past = CertificateAuthority.open(
                pki.authority().dir(), null, Clock.offset(Clock.systemUTC(), Duration.ofDays(-2)));
        past.setCrlValidity(Duration.ofDays(1));
        past.resignCrl();
        try (GatewayFixture gw = start(pki)) {
            assertEquals(expect("certificate_expired"), alertFor(gw, pki, alice));
        }
    }

    @Test
    void unreadableCrl() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        Credential alice = pki.client("alice");
        try (GatewayFixture gw = start(pki)) {
            java.nio.file.Files.writeString(pki.crlFile(), "not a CRL\n"); // read again at the next handshake
            assertEquals(expect("certificate_unknown"), alertFor(gw, pki, alice));
        }
    }

    @Test
    void certificateFromAnotherCa() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        Credential stranger = TestPki.create(dir.resolve("other")).client("alice");
        try (GatewayFixture gw = start(pki)) {
            assertEquals(expect("unknown_ca"), alertFor(gw, pki, stranger));
        }
    }

    private GatewayFixture start(TestPki pki) throws Exception {
        return GatewayFixture.start(
                dir.resolve("gw"), pki, "gwtest", LISTENERS, PRINCIPALS, "", "  provider: " + provider + "\n");
    }

    /** Handshakes as {@code who} and reads: the alert's name from the JDK's "Received fatal alert: NAME". */
    private static String alertFor(GatewayFixture gw, TestPki pki, Credential who) throws IOException {
        var ssl = ClientTls.context(who.privateKey(), List.of(who.certificate()), List.of(pki.caCertificate()));
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", gw.gateway.port("admin"))) {
            s.setSoTimeout(10_000);
            SSLException e = assertThrows(SSLException.class, () -> {
                s.startHandshake(); // TLS 1.3: the client's side may finish before the server checks it
                s.getOutputStream()
                        .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                s.getInputStream().read();
            });
            Matcher m = Pattern.compile("Received fatal alert: (\\w+)").matcher(String.valueOf(e.getMessage()));
            return m.find() ? m.group(1) : "no alert: " + e;
        }
    }
}
