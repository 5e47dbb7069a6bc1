package jp.sekisho.envelope;

import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import jp.sekisho.certs.Identity;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The SignerInfo of every signature Sekisho makes (the sealed envelope's, a signed statement's):
 * SHA-256 with the key's own algorithm, the signing time Sekisho writes itself ({@link SigningTime}),
 * and the signer's certificate as its identifier.
 */
final class SignerInfos {

    private SignerInfos() {}

    /** The generator of {@code signer}'s SignerInfo, signing time now. */
    static SignerInfoGenerator of(Identity signer) throws OperatorCreationException, CertificateEncodingException {
        return new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .setSignedAttributeGenerator(SigningTime.attributes(Instant.now()))
                .build(
                        new JcaContentSignerBuilder(signatureAlgorithm(signer.privateKey())).build(signer.privateKey()),
                        signer.certificate());
    }

    /** SHA-256 with ECDSA or RSA (PKCS#1 v1.5), as the key is; any other key type is refused. */
    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported signing key type " + key.getAlgorithm());
        };
    }
}
