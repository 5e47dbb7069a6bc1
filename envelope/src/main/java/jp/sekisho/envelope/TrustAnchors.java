package jp.sekisho.envelope;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;

/**
 * The CA certificates a receiver trusts for senders' signatures, and optionally their CRLs
 * (revocation is checked only when CRLs are given: offline receivers may have none).
 */
public final class TrustAnchors {

    private final Set<TrustAnchor> anchors;
    private final List<X509CRL> crls;

    private TrustAnchors(Set<TrustAnchor> anchors, List<X509CRL> crls) {
        if (anchors.isEmpty()) {
            throw new PkiException("no trust anchor given");
        }
        this.anchors = Set.copyOf(anchors);
        this.crls = List.copyOf(crls);
    }

    public static TrustAnchors of(Collection<X509Certificate> caCertificates) {
        Set<TrustAnchor> set = new HashSet<>();
        for (X509Certificate c : caCertificates) {
            set.add(new TrustAnchor(c, null));
        }
        return new TrustAnchors(set, List.of());
    }

    /** Every certificate in a PEM file (ca.pem) becomes an anchor. */
    public static TrustAnchors fromPem(Path caFile) {
        return of(Pem.readCertificates(caFile));
    }

    /** The same anchors, with revocation checked against these CRLs. */
    public TrustAnchors withCrls(Collection<X509CRL> crlList) {
        return new TrustAnchors(anchors, new ArrayList<>(crlList));
    }

    /**
     * PKIX path from the signer to an anchor (intermediates from the envelope), valid now, and a
     * key usage that allows signatures.
     */
    void validateSigner(X509Certificate signer, Collection<X509Certificate> envelopeCertificates) {
        boolean[] ku = signer.getKeyUsage();
        if (ku != null && !ku[0]) {
            throw new EnvelopeException(
                    EnvelopeException.Reason.SIGNER_UNTRUSTED,
                    "signer certificate lacks the digitalSignature key usage: "
                            + signer.getSubjectX500Principal().getName());
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(signer);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            List<Object> store = new ArrayList<>(envelopeCertificates);
            store.add(signer);
            store.addAll(crls);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
            params.setRevocationEnabled(!crls.isEmpty());
            CertPathBuilder.getInstance("PKIX").build(params);
        } catch (GeneralSecurityException e) {
            throw new EnvelopeException(
                    EnvelopeException.Reason.SIGNER_UNTRUSTED,
                    "signer " + signer.getSubjectX500Principal().getName() + " does not chain to a trusted CA: "
                            + e.getMessage(),
                    e);
        }
    }
}
