package jp.sekisho.certs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The PEM files Sekisho itself writes (certificates, CRLs, PKCS#8 keys plain or encrypted), read
 * without BouncyCastle's {@code PEMParser}: loading its {@code PemReader} starts
 * {@code java.util.logging}, whose search for a logging backend opens every jar of the class path,
 * ~45 ms of a {@code receive} that reads its key (issue 18). Anything else (OpenSSL's traditional
 * {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY}, encryption headers, other labels, anything
 * malformed) is left to {@code PEMParser}, which reads, and refuses, everything as before.
 */
final class PemBlocks {

    private PemBlocks() {}

    /** The objects PEMParser would return for {@code text}, or null where it must read the text itself. */
    static List<Object> simple(String text) {
        List<Object> objects = new ArrayList<>();
        String label = null;
        StringBuilder body = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (label == null) {
                if (line.startsWith("-----BEGIN ") && line.endsWith("-----") && line.length() > 16) {
                    label = line.substring(11, line.length() - 5);
                    body.setLength(0);
                } else if (line.startsWith("-----")) {
                    return null;
                }
                continue;
            }
            if (line.equals("-----END " + label + "-----")) {
                Object o = object(label, body.toString());
                if (o == null) {
                    return null;
                }
                objects.add(o);
                label = null;
            } else if (line.indexOf(':') >= 0 || line.startsWith("-----")) {
                return null; // an RFC 1421 header (Proc-Type, DEK-Info) or a broken block
            } else {
                body.append(line);
            }
        }
        return label == null ? objects : null;
    }

    private static Object object(String label, String base64) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            return switch (label) {
                case "CERTIFICATE" -> new X509CertificateHolder(der);
                case "X509 CRL" -> new X509CRLHolder(der);
                case "PRIVATE KEY" -> PrivateKeyInfo.getInstance(der);
                case "ENCRYPTED PRIVATE KEY" -> new PKCS8EncryptedPrivateKeyInfo(der);
                default -> null;
            };
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
