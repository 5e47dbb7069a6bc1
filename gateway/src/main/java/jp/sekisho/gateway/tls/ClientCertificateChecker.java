package jp.sekisho.gateway.tls;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.gateway.admission.Reason;

/**
 * Decides whether a client certificate chain may connect. In order, each failure with its reason:
 * <ol>
 *   <li>nothing presented: NO_CERTIFICATE;</li>
 *   <li>the leaf's validity period does not include now: EXPIRED;</li>
 *   <li>no PKIX path to a configured trust anchor (unknown issuer, bad signature, expired
 *       intermediate...): UNKNOWN_CA;</li>
 *   <li>no extendedKeyUsage clientAuth on the leaf: WRONG_USAGE;</li>
 *   <li>revocation of every certificate of the path against the CRL of its issuer: REVOKED,
 *       CRL_EXPIRED or CRL_UNAVAILABLE (fail closed).</li>
 * </ol>
 * A certificate from a foreign CA that is also expired reports EXPIRED: the validity period is
 * read from the presented certificate itself and is the more useful message to its holder.
 * Plain Java (PKIX from the JDK); no Netty or Micronaut.
 */
public final class ClientCertificateChecker {

    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final TlsMaterial material;
    private final CrlStore crls;
    private final Clock clock;

    public ClientCertificateChecker(TlsMaterial material, CrlStore crls, Clock clock) {
        this.material = material;
        this.crls = crls;
        this.clock = clock;
    }

    /** Returns normally when the chain is acceptable; otherwise throws with the reason code. */
    public void check(X509Certificate[] chain) throws CertificateRejectedException {
        if (chain == null || chain.length == 0) {
            throw new CertificateRejectedException(Reason.NO_CERTIFICATE.code(), null, "no client certificate");
        }
        X509Certificate leaf = chain[0];
        AuditPrincipal who = principalOf(leaf);
        Instant now = clock.instant();
        if (now.isBefore(leaf.getNotBefore().toInstant())
                || now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new CertificateRejectedException(
                    Reason.EXPIRED.code(),
                    who,
                    "valid " + leaf.getNotBefore().toInstant() + " to "
                            + leaf.getNotAfter().toInstant());
        }
        List<X509Certificate> path = pathWithoutAnchors(chain);
        PKIXCertPathValidatorResult result;
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            CertPath cp = cf.generateCertPath(path);
            PKIXParameters params = new PKIXParameters(new HashSet<>(material.trustAnchors()));
            params.setRevocationEnabled(false); // the CRL is checked below, from the reloadable store
            params.setDate(Date.from(now)); // the JCA takes a Date
            result = (PKIXCertPathValidatorResult)
                    CertPathValidator.getInstance("PKIX").validate(cp, params);
        } catch (CertPathValidatorException e) {
            throw new CertificateRejectedException(Reason.UNKNOWN_CA.code(), who, String.valueOf(e.getMessage()));
        } catch (InvalidAlgorithmParameterException e) {
            throw new CertificateRejectedException(Reason.UNKNOWN_CA.code(), who, "no trust anchors");
        } catch (GeneralSecurityException e) {
            throw new CertificateRejectedException(Reason.UNKNOWN_CA.code(), who, String.valueOf(e.getMessage()));
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku == null || !eku.contains(CLIENT_AUTH)) {
                throw new CertificateRejectedException(
                        Reason.WRONG_USAGE.code(),
                        who,
                        "extendedKeyUsage " + (eku == null ? "absent" : eku) + " lacks clientAuth");
            }
        } catch (CertificateParsingException e) {
            throw new CertificateRejectedException(Reason.WRONG_USAGE.code(), who, "unreadable extendedKeyUsage");
        }
        // revocation of each certificate of the validated path, each against its issuer's CRL
        for (int i = 0; i < path.size(); i++) {
            X509Certificate issuer = i + 1 < path.size()
                    ? path.get(i + 1)
                    : result.getTrustAnchor().getTrustedCert();
            CrlStore.Verdict v = crls.check(path.get(i), issuer);
            if (v.reason() != null) {
                throw new CertificateRejectedException(v.reason(), who, v.detail());
            }
        }
    }

    private List<X509Certificate> pathWithoutAnchors(X509Certificate[] chain) {
        Set<X509Certificate> anchors = new HashSet<>(material.anchors());
        List<X509Certificate> out = new ArrayList<>();
        for (int i = 0; i < chain.length; i++) {
            if (i > 0 && anchors.contains(chain[i])) {
                break;
            }
            out.add(chain[i]);
        }
        return out;
    }

    public static AuditPrincipal principalOf(X509Certificate cert) {
        return new AuditPrincipal(
                cert.getSubjectX500Principal().getName(),
                cert.getSerialNumber().toString(16),
                CertificateSummary.sha256(cert));
    }
}
