package jp.sekisho.gateway.operations;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jp.sekisho.gateway.tls.TlsInventory;

/**
 * One certificate the gateway relies on: its own server certificate (and the chain it sends), or a
 * trust anchor client certificates must chain to.
 *
 * @param kind   server, chain or anchor (the page's words for each are in the operations bundle)
 * @param serial lower-case hex, as {@code openssl x509 -serial} and the audit log write it
 */
public record CertificateRow(
        String kind, String subject, String issuer, String serial, Instant notBefore, Expiry expiry) {

    /** Renew a certificate a month ahead: issuing and deploying one takes a municipality days. */
    static final Duration WARN_BEFORE = Duration.ofDays(30);

    public static CertificateRow of(String kind, X509Certificate c, Instant now) {
        return new CertificateRow(
                kind,
                c.getSubjectX500Principal().getName(),
                c.getIssuerX500Principal().getName(),
                c.getSerialNumber().toString(16).toLowerCase(Locale.ROOT),
                c.getNotBefore().toInstant(),
                Expiry.of(c.getNotAfter().toInstant(), now, WARN_BEFORE));
    }

    /** The server certificate, the rest of the chain it presents, then the trust anchors. */
    public static List<CertificateRow> all(TlsInventory tls, Instant now) {
        List<CertificateRow> rows = new ArrayList<>();
        List<X509Certificate> chain = tls.serverChain();
        for (int i = 0; i < chain.size(); i++) {
            rows.add(of(i == 0 ? "server" : "chain", chain.get(i), now));
        }
        tls.trustAnchors().forEach(a -> rows.add(of("anchor", a, now)));
        return rows;
    }
}
