package jp.sekisho.certs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;

/**
 * The certificates and CRLs of one file, PEM (any number of blocks) or DER (one certificate or one
 * CRL, as {@code openssl crl -outform DER} and many CAs' distribution points write it). The file is
 * read only up to {@link #MAX_BYTES}: {@code certs show} is pointed at files from outside.
 */
public record PkiObjects(List<X509Certificate> certificates, List<X509CRL> crls) {

    /** A CRL of a few hundred thousand entries; nothing a municipality's CA makes comes near it. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;

    public PkiObjects {
        certificates = List.copyOf(certificates);
        crls = List.copyOf(crls);
    }

    public boolean isEmpty() {
        return certificates.isEmpty() && crls.isEmpty();
    }

    public static PkiObjects read(Path file) {
        byte[] bytes = readBounded(file, MAX_BYTES);
        if (looksLikePem(bytes)) {
            List<X509Certificate> certs = new ArrayList<>();
            List<X509CRL> crls = new ArrayList<>();
            for (Object o : Pem.parse(new String(bytes, StandardCharsets.US_ASCII), file)) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(Pem.toCertificate(h, file));
                } else if (o instanceof X509CRLHolder h) {
                    try {
                        crls.add(new JcaX509CRLConverter().getCRL(h));
                    } catch (CRLException e) {
                        throw new PkiException(file + ": unreadable CRL: " + e.getMessage(), e);
                    }
                }
            }
            return new PkiObjects(certs, crls);
        }
        return der(file, bytes);
    }

    private static PkiObjects der(Path file, byte[] bytes) {
        CertificateFactory cf;
        try {
            cf = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        // A CRL and a certificate are both a SEQUENCE of (to-be-signed, algorithm, signature): try each.
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return new PkiObjects(List.of(), List.of((X509CRL) cf.generateCRL(in)));
        } catch (CRLException | IOException | RuntimeException e) {
            // not a DER CRL; try a certificate
        }
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return new PkiObjects(List.of((X509Certificate) cf.generateCertificate(in)), List.of());
        } catch (CertificateException | IOException | RuntimeException e) {
            throw new PkiException(file + ": neither PEM nor a DER certificate or CRL");
        }
    }

    private static boolean looksLikePem(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
        return head.contains("-----BEGIN ");
    }

    /** The whole file, refusing one larger than {@code max} bytes without reading it all. */
    public static byte[] readBounded(Path file, int max) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new PkiException(file + ": ファイルが大きすぎます / file too large (more than " + max + " bytes)");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new PkiException(file + ": no such file");
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
