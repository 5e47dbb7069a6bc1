package jp.sekisho.envelope;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;

/**
 * One recipient named in an envelope's RecipientInfos, as the gateway sees it without any key:
 * issuer and serial and/or subject key identifier (hex). KEK, password and other recipient kinds
 * have neither: nobody registered can be them.
 */
public record EnvelopeRecipient(Type type, String issuer, BigInteger serial, String subjectKeyIdentifier) {

    /** The RecipientInfo choice. */
    public enum Type {
        KEY_TRANSPORT,
        KEY_AGREEMENT,
        KEK,
        PASSWORD,
        OTHER
    }

    /** True when this entry identifies the certificate (by issuer+serial or by subject key identifier). */
    public boolean matches(X509Certificate cert) {
        if (issuer != null && serial != null) {
            X500Name certIssuer =
                    X500Name.getInstance(cert.getIssuerX500Principal().getEncoded());
            if (serial.equals(cert.getSerialNumber()) && certIssuer.equals(new X500Name(issuer))) {
                return true;
            }
        }
        return subjectKeyIdentifier != null && subjectKeyIdentifier.equals(subjectKeyIdentifier(cert));
    }

    static String subjectKeyIdentifier(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        try {
            byte[] inner = ASN1OctetString.getInstance(ext).getOctets();
            return HexFormat.of().formatHex(ASN1OctetString.getInstance(inner).getOctets());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** For logs and refusal messages. */
    @Override
    public String toString() {
        return type
                + (issuer != null ? " issuer=" + issuer + " serial=" + serial.toString(16) : "")
                + (subjectKeyIdentifier != null ? " ski=" + subjectKeyIdentifier : "");
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
