package jp.sekisho.certs.testing;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.InitRequest;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.RevocationReason;

/**
 * A fresh PKI in a temporary folder, for any module's tests: the same code as {@code sekisho certs},
 * so tests exercise real certificates. Usage:
 * <pre>
 *   TestPki pki = TestPki.create(tempDir);           // ca.pem, crl.pem, gateway.pem/.key/.p12
 *   Credential alice = pki.client("alice");           // alice.pem/.key/.p12, clientAuth
 *   Credential old = pki.expiredClient("old");        // valid yesterday only
 *   TestPki other = TestPki.create(otherDir);         // a foreign CA
 *   pki.revoke("alice");                              // crl.pem rewritten
 * </pre>
 */
public final class TestPki {

    private final CertificateAuthority ca;

    private TestPki(CertificateAuthority ca) {
        this.ca = ca;
    }

    public static TestPki create(Path dir) {
        // The CA starts ten days back so that expiredClient() can issue from the past; the CRL is
        // then re-signed now, or it would already be past its nextUpdate.
        CertificateAuthority.init(InitRequest.defaults(dir), clockDaysBack(10));
        CertificateAuthority ca = CertificateAuthority.open(dir, null, Clock.systemUTC());
        ca.resignCrl();
        return new TestPki(ca);
    }

    private static Clock clockDaysBack(int days) {
        return Clock.fixed(Instant.now().minus(Duration.ofDays(days)), ZoneOffset.UTC);
    }

    public Path dir() {
        return ca.dir();
    }

    public Path caFile() {
        return ca.dir().resolve(CertificateAuthority.CA_CERT);
    }

    public Path crlFile() {
        return ca.dir().resolve(CertificateAuthority.CRL);
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    public CertificateAuthority authority() {
        return ca;
    }

    /** The gateway's server certificate made by init: DIR/gateway.pem, .key, .p12 (empty password). */
    public Path gatewayFile(String extension) {
        return ca.dir().resolve(CertificateAuthority.GATEWAY + "." + extension);
    }

    public Credential client(String name) {
        return ca.issue(IssueRequest.of(name, CertKind.CLIENT));
    }

    public Credential client(String name, String org, String unit) {
        return ca.issue(new IssueRequest(
                name, CertKind.CLIENT, org, unit, List.of(), List.of(), IssueRequest.DEFAULT_DAYS, null, null, false));
    }

    public Credential server(String name, List<String> dns, List<String> ips) {
        return ca.issue(IssueRequest.of(name, CertKind.SERVER).withSans(dns, ips));
    }

    public Credential recipient(String name) {
        return ca.issue(IssueRequest.of(name, CertKind.RECIPIENT));
    }

    /** A client certificate whose validity ended before now (issued by a CA clock two days back). */
    public Credential expiredClient(String name) {
        CertificateAuthority backdated = CertificateAuthority.open(ca.dir(), null, clockDaysBack(2));
        return backdated.issue(IssueRequest.of(name, CertKind.CLIENT).withDays(1));
    }

    public void revoke(String name) {
        ca.revoke(name, RevocationReason.keyCompromise);
    }
}
