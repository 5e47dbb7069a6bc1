package jp.sekisho.gateway.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.GatewayConfig;

/**
 * The server's key and certificate chain and the client trust anchors, read and cross-checked
 * at start-up: every problem is a {@link ConfigException} naming the key.
 */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> anchors) {

    public static TlsMaterial load(GatewayConfig config) {
        String file = config.source().toString();
        GatewayConfig.Tls tls = config.tls();
        List<X509Certificate> chain = certificates(file, "tls.certificate", tls.certificate());
        PrivateKey key;
        try {
            requireFile(file, "tls.key", tls.key());
            key = Pem.readPrivateKey(tls.key(), null);
        } catch (PkiException e) {
            throw new ConfigException(file + ": tls.key: " + stripPath(e.getMessage(), tls.key()));
        }
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new ConfigException(
                    file + ": tls.key: '" + tls.key() + "' does not match tls.certificate '" + tls.certificate() + "'");
        }
        List<X509Certificate> anchors = new ArrayList<>();
        for (int i = 0; i < tls.trustAnchors().size(); i++) {
            anchors.addAll(certificates(
                    file, "tls.trust-anchors[" + i + "]", tls.trustAnchors().get(i)));
        }
        for (int i = 0; i < tls.crls().size(); i++) {
            Path p = tls.crls().get(i);
            String k = "tls.crls[" + i + "]";
            requireFile(file, k, p);
            X509CRL crl;
            try {
                crl = Pem.readCrl(p);
            } catch (PkiException e) {
                throw new ConfigException(file + ": " + k + ": " + stripPath(e.getMessage(), p));
            }
            if (CrlStore.issuerOf(crl, anchors) == null) {
                throw new ConfigException(file + ": " + k + ": '" + p + "' is not signed by any of tls.trust-anchors");
            }
        }
        return new TlsMaterial(key, chain, anchors);
    }

    public List<TrustAnchor> trustAnchors() {
        return anchors.stream().map(c -> new TrustAnchor(c, null)).toList();
    }

    private static List<X509Certificate> certificates(String file, String key, Path p) {
        requireFile(file, key, p);
        List<X509Certificate> certs;
        try {
            certs = Pem.readCertificates(p);
        } catch (PkiException e) {
            throw new ConfigException(file + ": " + key + ": " + stripPath(e.getMessage(), p));
        }
        if (certs.isEmpty()) {
            throw new ConfigException(file + ": " + key + ": '" + p + "' holds no PEM certificate");
        }
        return certs;
    }

    private static void requireFile(String file, String key, Path p) {
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(file + ": " + key + ": '" + p + "': no such file");
        }
        if (!Files.isReadable(p)) {
            throw new ConfigException(file + ": " + key + ": '" + p + "': not readable");
        }
    }

    private static String stripPath(String message, Path p) {
        String prefix = p + ": ";
        return message != null && message.startsWith(prefix)
                ? "'" + p + "': " + message.substring(prefix.length())
                : message;
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null || (!key.getAlgorithm().equals(pub.getAlgorithm()) && !alg.equals("Ed25519"))) {
            return false;
        }
        try {
            byte[] probe = "sekisho key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
