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

    private Pkcs12() {}

    /**
     * The JDK's PKCS#12 (PBES2 AES-256, HmacSHA256 MAC). With a password, its default of 10,000
     * iterations for the MAC and each encryption. With an empty password the iterations protect
     * nothing (anyone can try the empty password) yet cost every command that loads the file about
     * a second of a cold JVM's time, so such a file is written with one iteration.
     */
    public static byte[] encode(String alias, PrivateKey key, char[] password, X509Certificate... chain) {
        for (char c : password) {
            // PBKDF2 in PKCS#12 takes ASCII only, in the JDK as in OpenSSL: refuse before writing anything
            if (c < 0x20 || c > 0x7e) {
                throw new PkiException("PKCS#12 のパスワードには半角英数字と記号（ASCII）だけが使えます。 a .p12 password"
                        + " must be printable ASCII (PKCS#12 readers, the JDK's and OpenSSL's, take nothing else)");
            }
        }
        synchronized (ITERATION_PROPERTIES) {
            String[] before = new String[ITERATION_PROPERTIES.length];
            for (int i = 0; i < before.length; i++) {
                before[i] = System.getProperty(ITERATION_PROPERTIES[i]);
                if (password.length == 0) {
                    System.setProperty(ITERATION_PROPERTIES[i], "1");
                }
            }
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry(alias, key, password, chain);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ks.store(out, password);
                return out.toByteArray();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build PKCS#12 for " + alias, e);
            } finally {
                for (int i = 0; i < before.length; i++) {
                    if (before[i] == null) {
                        System.clearProperty(ITERATION_PROPERTIES[i]);
                    } else {
                        System.setProperty(ITERATION_PROPERTIES[i], before[i]);
                    }
                }
            }
        }
    }

    /** The JDK's overridable PKCS#12 settings (JDK 12+, 11.0.12+), read when a key store is stored. */
    private static final String[] ITERATION_PROPERTIES = {
        "keystore.pkcs12.macIterationCount",
        "keystore.pkcs12.keyPbeIterationCount",
        "keystore.pkcs12.certPbeIterationCount"
    };

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
