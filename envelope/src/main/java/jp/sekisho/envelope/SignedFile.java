package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import jp.sekisho.certs.Pem;
import jp.sekisho.envelope.EnvelopeException.Reason;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataParser;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;

/**
 * The signed file inside a decrypted envelope: streamed into a temporary file, then its one signature
 * and the signer's chain checked. {@link Opener} decides what a failure here means for the envelope.
 */
final class SignedFile {

    /** The signer, the file's length and its SHA-256 (hex). */
    record Verified(X509Certificate signer, long bytes, String sha256) {}

    private SignedFile() {}

    static Verified verifyInto(InputStream plain, Path temp, TrustAnchors trust)
            throws IOException, CMSException, OperatorCreationException {
        CMSSignedDataParser signed = new CMSSignedDataParser(new JcaDigestCalculatorProviderBuilder().build(), plain);
        CMSTypedStream content = signed.getSignedContent();
        if (content == null) {
            throw new EnvelopeException(Reason.SIGNATURE_INVALID, "detached signature: the envelope holds no content");
        }
        long bytes = 0;
        try (InputStream data = content.getContentStream();
                OutputStream out = WriteBehindFile.open(temp)) {
            byte[] buf = new byte[Sealer.CHUNK * 4];
            int n;
            while ((n = data.read(buf)) >= 0) {
                out.write(buf, 0, n);
                bytes += n;
            }
        }
        Store<X509CertificateHolder> certs = signed.getCertificates();
        Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new EnvelopeException(Reason.SIGNATURE_INVALID, "expected one signer, found " + signers.size());
        }
        SignerInformation signer = signers.iterator().next();
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> matches = certs.getMatches(signer.getSID());
        if (matches.isEmpty()) {
            throw new EnvelopeException(Reason.SIGNATURE_INVALID, "the signer's certificate is not in the envelope");
        }
        X509Certificate signerCert = Pem.toCertificate(matches.iterator().next(), "signer");
        boolean valid;
        try {
            // with the public key only, BouncyCastle skips its check of the certificate at the signing
            // time, which parses that time through SimpleDateFormat (~16 ms of a cold receive): made here
            valid = signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signerCert.getPublicKey()))
                    && SigningTime.certificateValidAt(signer, signerCert);
        } catch (CMSException e) {
            valid = false;
        }
        if (!valid) {
            throw new EnvelopeException(
                    Reason.SIGNATURE_INVALID,
                    "signature by " + signerCert.getSubjectX500Principal().getName() + " does not verify");
        }
        List<X509Certificate> all = new ArrayList<>();
        for (X509CertificateHolder h : certs.getMatches(null)) {
            all.add(Pem.toCertificate(h, "envelope"));
        }
        trust.validateSigner(signerCert, all);
        String sha256 = signer.getDigestAlgOID().equals(NISTObjectIdentifiers.id_sha256.getId())
                ? HexFormat.of().formatHex(signer.getContentDigest()) // verified digest of exactly these bytes
                : sha256(temp);
        return new Verified(signerCert, bytes, sha256);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = HashingOutputStream.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
