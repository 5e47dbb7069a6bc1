package jp.sekisho.envelope;

import java.io.IOException;
import jp.sekisho.certs.Identity;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * A small statement signed in the clear: CMS SignedData (RFC 5652) with the content inside, SHA-256,
 * and the signer's certificate chain, DER. What a contractor signs its deletion report (廃棄報告) with;
 * {@code openssl cms -verify -inform DER} reads it.
 */
public final class SignedStatement {

    private SignedStatement() {}

    public static byte[] sign(byte[] content, Identity signer) {
        try {
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            g.addSignerInfoGenerator(SignerInfos.of(signer));
            g.addCertificates(new JcaCertStore(signer.chain()));
            CMSSignedData signed = g.generate(new CMSProcessableByteArray(content), true);
            return signed.getEncoded("DER");
        } catch (CMSException | OperatorCreationException | IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }
}
