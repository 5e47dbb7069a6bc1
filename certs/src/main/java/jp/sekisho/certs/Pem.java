package jp.sekisho.certs;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reading and writing PEM: certificates, CRLs and PKCS#8 private keys (plain or
 * passphrase-encrypted), in the forms OpenSSL writes and reads.
 */
public final class Pem {

    private static final JcaX509CertificateConverter CERTS = new JcaX509CertificateConverter();
    private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();

    private Pem() {}

    public static String encode(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                pem.writeObject(o);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** PKCS#8 PEM; encrypted with AES-256-CBC (PBKDF2) when a passphrase is given. */
    public static String encodePrivateKey(PrivateKey key, char[] passphrase) {
        try {
            JcaPKCS8Generator gen;
            if (passphrase == null || passphrase.length == 0) {
                gen = new JcaPKCS8Generator(key, null);
            } else {
                gen = new JcaPKCS8Generator(
                        key,
                        new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                                .setProvider(BcProvider.get()) // the JDK lacks AES/CBC/PKCS7Padding
                                .setPassword(passphrase)
                                .build());
            }
            PemObject obj = gen.generate();
            StringWriter out = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(obj);
            }
            return out.toString();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot encode private key", e);
        }
    }

    public static X509Certificate readCertificate(Path file) {
        List<X509Certificate> all = readCertificates(file);
        if (all.isEmpty()) {
            throw new PkiException(file + ": no certificate in file");
        }
        return all.get(0);
    }

    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> result = new ArrayList<>();
        for (Object o : readObjects(file)) {
            if (o instanceof X509CertificateHolder holder) {
                result.add(toCertificate(holder, file));
            }
        }
        return result;
    }

    public static X509CRL readCrl(Path file) {
        for (Object o : readObjects(file)) {
            if (o instanceof X509CRLHolder holder) {
                try {
                    return new JcaX509CRLConverter().getCRL(holder);
                } catch (CRLException e) {
                    throw new PkiException(file + ": unreadable CRL: " + e.getMessage(), e);
                }
            }
        }
        throw new PkiException(file + ": no CRL in file");
    }

    /** Reads PKCS#8 (plain or encrypted) or OpenSSL's traditional EC/RSA key files. */
    public static PrivateKey readPrivateKey(Path file, char[] passphrase) {
        for (Object o : readObjects(file)) {
            try {
                if (o instanceof PrivateKeyInfo info) {
                    return KEYS.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return KEYS.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                    if (passphrase == null || passphrase.length == 0) {
                        throw new PkiException(file + ": key is passphrase-protected; give --passphrase-file");
                    }
                    return KEYS.getPrivateKey(enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                            .setProvider(BcProvider.get()) // the JDK lacks AES/CBC/PKCS7Padding
                            .build(passphrase)));
                }
            } catch (PKCSException e) {
                throw new PkiException(file + ": wrong passphrase for key", e);
            } catch (IOException | OperatorCreationException e) {
                throw new PkiException(file + ": unreadable private key: " + e.getMessage(), e);
            }
        }
        throw new PkiException(file + ": no private key in file");
    }

    public static X509Certificate toCertificate(X509CertificateHolder holder, Object source) {
        try {
            return CERTS.getCertificate(holder);
        } catch (CertificateException e) {
            throw new PkiException(source + ": unreadable certificate: " + e.getMessage(), e);
        }
    }

    private static List<Object> readObjects(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new PkiException(file + ": no such file");
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file);
    }

    /** The PEM objects in {@code text}, as BouncyCastle's PEMParser returns them. */
    static List<Object> parse(String text, Path file) {
        List<Object> simple = PemBlocks.simple(text);
        return simple != null ? simple : parse(new StringReader(text), file);
    }

    static List<Object> parse(Reader reader, Path file) {
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(reader)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                objects.add(o);
            }
        } catch (IOException e) {
            throw new PkiException(file + ": not valid PEM: " + e.getMessage(), e);
        }
        return objects;
    }
}
