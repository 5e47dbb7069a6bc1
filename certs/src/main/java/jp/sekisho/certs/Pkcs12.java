package jp.sekisho.certs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;

/** PKCS#12 files: a certificate, its key and the CA, as TLS clients and {@code openssl pkcs12} read them. */
public final class Pkcs12 {

    private Pkcs12() {
    }

    public static byte[] encode(String alias, PrivateKey key, char[] password, X509Certificate... chain) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(alias, key, password, chain);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build PKCS#12 for " + alias, e);
        }
    }

    /** Loads a PKCS#12 file and returns its single key entry. */
    public static KeyStore.PrivateKeyEntry read(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return (KeyStore.PrivateKeyEntry) ks.getEntry(alias, new KeyStore.PasswordProtection(password));
                }
            }
            throw new PkiException(file + ": no private key entry in PKCS#12 file");
        } catch (NoSuchFileException e) {
            throw new PkiException(file + ": no such file");
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read PKCS#12 (wrong --identity-password?): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + ": unreadable PKCS#12: " + e.getMessage(), e);
        }
    }
}
