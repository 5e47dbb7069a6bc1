package jp.sekisho.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certificate signing requests, so that a key never leaves the machine that uses it: the
 * contractor makes the key and a CSR ({@code certs request}), the city's CA issues from the CSR
 * ({@code certs sign}). From a CSR the CA takes only the public key, after checking that the CSR is
 * signed by that key and that the key is strong enough; its subject and requested extensions are
 * not trusted (the CA's command line decides both).
 */
public final class CertificationRequests {

    /** A CSR is a key and a name: a few KiB. Anything larger is not one. */
    public static final int MAX_BYTES = 64 * 1024;

    static final int MIN_RSA_BITS = 2048;
    /** Beyond this an RSA key only costs every handshake and decryption time. */
    static final int MAX_RSA_BITS = 8192;

    private static final Set<ASN1ObjectIdentifier> CURVES =
            Set.of(SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1);

    /** A new key and the CSR it signed. */
    public record NewRequest(KeyPair keyPair, PKCS10CertificationRequest csr) {}

    private CertificationRequests() {}

    /** Makes a key of {@code alg} and a CSR for {@code subject} signed with it. */
    public static NewRequest create(X500Name subject, KeyAlgorithm alg) {
        KeyPair pair = alg.generate();
        try {
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, pair.getPublic())
                    .build(new JcaContentSignerBuilder(alg.signatureAlgorithm()).build(pair.getPrivate()));
            return new NewRequest(pair, csr);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the CSR", e);
        }
    }

    /**
     * A subject as the contractor writes it: an RFC 4514 name ({@code CN=contractor-enc,O=Contractor
     * K.K.}) or a bare common name. Bounded; must name a CN.
     */
    public static X500Name subject(String text) {
        if (text == null || text.isBlank() || text.length() > 256) {
            throw new PkiException("--subject: 1〜256文字で指定してください / give 1 to 256 characters, e.g. "
                    + "\"CN=contractor-enc,O=Contractor K.K.\"");
        }
        X500Name name;
        try {
            name = text.contains("=") ? new X500Name(BCStyle.INSTANCE, text) : new X500Name("CN=" + text.strip());
        } catch (IllegalArgumentException e) {
            throw new PkiException(
                    "--subject '" + text + "': 識別名として読めません / not a distinguished name: " + e.getMessage());
        }
        if (name.getRDNs(BCStyle.CN).length == 0) {
            throw new PkiException("--subject '" + text + "': CN がありません / has no CN");
        }
        return name;
    }

    public static String pem(PKCS10CertificationRequest csr) {
        return Pem.encode(csr);
    }

    /** Reads a CSR (PEM or DER, at most {@link #MAX_BYTES}). */
    public static PKCS10CertificationRequest read(Path file) {
        byte[] bytes = PkiObjects.readBounded(file, MAX_BYTES);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN ")) {
            for (Object o : Pem.parse(text, file)) {
                if (o instanceof PKCS10CertificationRequest csr) {
                    return csr;
                }
            }
            throw new PkiException(file + ": CSRがありません / no certificate request (PKCS#10) in file");
        }
        try {
            return new PKCS10CertificationRequest(bytes);
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file + ": CSRとして読めません / not a certificate request (PKCS#10, PEM or DER)");
        }
    }

    /**
     * The CSR's public key once the CSR's own signature verifies with it and the key is RSA of
     * 2048–8192 bits or EC on P-256 or P-384.
     */
    public static PublicKey checkedKey(PKCS10CertificationRequest csr, Path file) {
        SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
        checkStrength(spki, file);
        try {
            // the JDK knows "EC", not the key's OID, as a KeyFactory name: convert first
            PublicKey key = new JcaPEMKeyConverter().getPublicKey(spki);
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new PkiException(file + ": CSRの署名が鍵と一致しません (改ざんまたは破損) / the CSR's signature does "
                        + "not verify with its key (altered or damaged)");
            }
            return key;
        } catch (PKCSException | OperatorCreationException | IOException e) {
            throw new PkiException(file + ": CSRの署名を検証できません / cannot verify the CSR's signature: " + e.getMessage());
        }
    }

    private static void checkStrength(SubjectPublicKeyInfo spki, Path file) {
        AlgorithmIdentifier alg = spki.getAlgorithm();
        if (PKCSObjectIdentifiers.rsaEncryption.equals(alg.getAlgorithm())) {
            BigInteger modulus;
            try {
                modulus = RSAPublicKey.getInstance(spki.parsePublicKey()).getModulus();
            } catch (IOException | RuntimeException e) {
                throw new PkiException(file + ": RSA公開鍵が読めません / unreadable RSA public key");
            }
            int bits = modulus.bitLength();
            if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                throw new PkiException(file + ": RSA-" + bits + " の鍵は受け付けません (" + MIN_RSA_BITS + "〜"
                        + MAX_RSA_BITS + "ビット) / an RSA key of " + bits + " bits is refused (" + MIN_RSA_BITS
                        + " to " + MAX_RSA_BITS + " bits)");
            }
            return;
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
            Object params = alg.getParameters();
            if (params instanceof ASN1ObjectIdentifier curve && CURVES.contains(curve)) {
                return;
            }
            throw new PkiException(file + ": この楕円曲線は受け付けません (P-256 と P-384 のみ) / curve " + params
                    + " is refused (P-256 and P-384 only)");
        }
        throw new PkiException(file + ": 鍵の種類 " + alg.getAlgorithm() + " は受け付けません (RSA か EC) / key type "
                + alg.getAlgorithm() + " is refused (RSA or EC)");
    }
}
