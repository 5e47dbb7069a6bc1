package jp.sekisho.gateway.deletion;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.tls.CertificateRejectedException;
import jp.sekisho.gateway.tls.ClientCertificateChecker;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * A deletion report's signed original, checked: one CMS SignedData with the manifest inside, one
 * signer using SHA-256 whose certificate is in the blob, a certificate the gateway trusts now, and a
 * signature that verifies (chain, validity, CRL: the same checker as the TLS handshake). Each failure
 * is its own reason; nothing is trusted before all of them passed (fail closed).
 */
public record SignedReport(byte[] content, X509Certificate signer) {

    public static final int MAX_BYTES = 1 << 20;

    /** Why a signed original was refused. */
    public static final class Refused extends Exception {
        private final Reason reason;

        Refused(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    public static SignedReport verify(byte[] der, ClientCertificateChecker trust) throws Refused {
        if (der.length == 0 || der.length > MAX_BYTES) {
            throw new Refused(Reason.DELETION_REPORT_MALFORMED, "the body must be 1 byte to " + MAX_BYTES + " bytes");
        }
        CMSSignedData cms;
        try (ASN1InputStream in = new ASN1InputStream(new ByteArrayInputStream(der), der.length)) {
            ContentInfo info = ContentInfo.getInstance(in.readObject());
            if (in.readObject() != null) {
                throw new Refused(Reason.DELETION_REPORT_MALFORMED, "bytes after the SignedData");
            }
            if (info == null || !CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
                throw new Refused(Reason.DELETION_REPORT_MALFORMED, "not a CMS SignedData");
            }
            cms = new CMSSignedData(info);
        } catch (Refused r) {
            throw r;
        } catch (CMSException | java.io.IOException | RuntimeException e) {
            throw new Refused(Reason.DELETION_REPORT_MALFORMED, "not a readable CMS SignedData (DER)");
        }
        if (cms.getSignedContent() == null
                || !CMSObjectIdentifiers.data.equals(cms.getSignedContentType())
                || !(cms.getSignedContent().getContent() instanceof byte[] content)) {
            throw new Refused(Reason.DELETION_REPORT_MALFORMED, "the manifest must be inside the SignedData (id-data)");
        }
        Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new Refused(
                    Reason.DELETION_REPORT_MALFORMED, "exactly one signer is required, not " + signers.size());
        }
        SignerInformation si = signers.iterator().next();
        if (!NISTObjectIdentifiers.id_sha256.getId().equals(si.getDigestAlgOID())) {
            throw new Refused(Reason.DELETION_REPORT_SIGNATURE_INVALID, "the signer's digest must be SHA-256");
        }
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> mine = cms.getCertificates().getMatches(si.getSID());
        if (mine.size() != 1) {
            throw new Refused(Reason.DELETION_REPORT_MALFORMED, "the signer's certificate must be in the SignedData");
        }
        X509Certificate signer;
        List<X509Certificate> chain = new ArrayList<>();
        try {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            X509CertificateHolder holder = mine.iterator().next();
            signer = conv.getCertificate(holder);
            chain.add(signer);
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> all = cms.getCertificates().getMatches(null);
            for (X509CertificateHolder h : all) {
                if (!h.equals(holder)) {
                    chain.add(conv.getCertificate(h));
                }
            }
        } catch (CertificateException | RuntimeException e) {
            throw new Refused(Reason.DELETION_REPORT_MALFORMED, "an unreadable certificate in the SignedData");
        }
        // the certificate first: BouncyCastle also refuses a signature made outside the certificate's validity
        try {
            trust.check(chain.toArray(X509Certificate[]::new));
        } catch (CertificateRejectedException e) {
            throw new Refused(
                    Reason.DELETION_REPORT_SIGNER_UNTRUSTED,
                    "the signer's certificate is refused: " + e.reason() + " (" + e.getMessage() + ")");
        }
        boolean valid;
        try {
            valid = si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
        } catch (CMSException | OperatorCreationException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new Refused(
                    Reason.DELETION_REPORT_SIGNATURE_INVALID,
                    "the signature does not verify over the manifest: changed after signing, or signed by another key");
        }
        return new SignedReport(content, signer);
    }
}
