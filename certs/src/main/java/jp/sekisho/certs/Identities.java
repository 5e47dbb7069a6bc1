package jp.sekisho.certs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads an identity the way the CLI names it: {@code NAME.p12} (or .pfx), or a PEM certificate
 * {@code NAME.pem} with its PKCS#8 key beside it as {@code NAME.key}. Failures are
 * {@link PkiException}s whose message names the file.
 */
public final class Identities {

    private Identities() {}

    public static Identity load(Path identity, char[] password) {
        String name = identity.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            KeyStore.PrivateKeyEntry entry = Pkcs12.read(identity, password == null ? new char[0] : password);
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : entry.getCertificateChain()) {
                chain.add((X509Certificate) c);
            }
            return new Identity(entry.getPrivateKey(), chain);
        }
        Path keyFile = keyBeside(identity);
        if (!Files.exists(keyFile)) {
            throw new PkiException(identity + ": no key beside the certificate (expected " + keyFile + ")");
        }
        return fromPem(identity, keyFile, password);
    }

    /** A PEM certificate (chain) file and a separate key file. */
    public static Identity fromPem(Path certificateFile, Path keyFile, char[] password) {
        List<X509Certificate> chain = Pem.readCertificates(certificateFile);
        if (chain.isEmpty()) {
            throw new PkiException(certificateFile + ": no certificate in file");
        }
        PrivateKey key = Pem.readPrivateKey(keyFile, password);
        return new Identity(key, chain);
    }

    /** NAME.pem / NAME.crt / NAME.cer → NAME.key in the same folder. */
    static Path keyBeside(Path certificateFile) {
        String file = certificateFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String base = dot > 0 ? file.substring(0, dot) : file;
        return certificateFile.resolveSibling(base + ".key");
    }
}
