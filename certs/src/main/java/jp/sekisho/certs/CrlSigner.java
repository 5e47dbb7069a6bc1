package jp.sekisho.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs the CA's CRL. Each new CRL carries every earlier entry, a CRL number one higher than the
 * last, and a nextUpdate after which relying parties (the gateway included) must refuse it.
 */
final class CrlSigner {

    static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    /** A serial to revoke and why. */
    record Entry(BigInteger serial, RevocationReason reason) {}

    private final Path file;
    private final X509Certificate caCert;
    private final PrivateKey caKey;
    private final Clock clock;
    /** Null keeps the period of the CRL being replaced (see {@link #periodOf}). */
    private Duration validity;

    CrlSigner(Path file, X509Certificate caCert, PrivateKey caKey, Clock clock) {
        this.file = file;
        this.caCert = caCert;
        this.caKey = caKey;
        this.clock = clock;
    }

    void setValidity(Duration validity) {
        this.validity = validity;
    }

    X509CRL current() {
        return Pem.readCrl(file);
    }

    /** Returns the new CRL, or null when the serial was already on it (nothing is rewritten). */
    X509CRL revoke(BigInteger serial, RevocationReason reason) {
        X509CRL existing = Files.exists(file) ? current() : null;
        if (existing != null && existing.getRevokedCertificate(serial) != null) {
            return null;
        }
        return write(build(existing, List.of(new Entry(serial, reason))));
    }

    X509CRL resign() {
        return write(build(Files.exists(file) ? current() : null, List.of()));
    }

    X509CRL build(X509CRL existing, List<Entry> added) {
        try {
            Instant now = clock.instant();
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(caCert.getSubjectX500Principal(), Date.from(now));
            b.setNextUpdate(Date.from(now.plus(validity != null ? validity : periodOf(existing))));
            BigInteger number = BigInteger.ONE;
            if (existing != null) {
                number = crlNumber(existing).add(BigInteger.ONE);
                for (X509CRLEntry e : existing.getRevokedCertificates() == null
                        ? List.<X509CRLEntry>of()
                        : List.copyOf(existing.getRevokedCertificates())) {
                    @SuppressWarnings(
                            "EnumOrdinal") // CRLReason's ordinals are RFC 5280's reason codes (UNUSED holds 7)
                    int reason = e.getRevocationReason() == null
                            ? RevocationReason.unspecified.code()
                            : e.getRevocationReason().ordinal();
                    b.addCRLEntry(e.getSerialNumber(), e.getRevocationDate(), reason);
                }
            }
            for (Entry e : added) {
                b.addCRLEntry(e.serial(), Date.from(now), e.reason().code());
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert.getPublicKey()));
            X509CRLHolder holder = b.build(new JcaContentSignerBuilder(
                            KeyAlgorithm.of(caCert.getPublicKey()).signatureAlgorithm())
                    .build(caKey));
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (IOException | OperatorCreationException | CRLException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot sign CRL", e);
        }
    }

    /**
     * How long the CRL being replaced was valid (nextUpdate − thisUpdate), so that a revocation or a
     * re-signing keeps the period the operator chose with {@code certs crl --days}; 30 days when there
     * is no CRL yet or it has no nextUpdate.
     */
    static Duration periodOf(X509CRL existing) {
        if (existing == null || existing.getNextUpdate() == null || existing.getThisUpdate() == null) {
            return DEFAULT_VALIDITY;
        }
        Duration d = Duration.between(
                existing.getThisUpdate().toInstant(), existing.getNextUpdate().toInstant());
        return d.isNegative() || d.isZero() ? DEFAULT_VALIDITY : d;
    }

    byte[] encode(X509CRL crl) {
        try {
            return Pem.encode(new JcaX509CRLHolder(crl)).getBytes(StandardCharsets.US_ASCII);
        } catch (CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509CRL write(X509CRL crl) {
        try (StagedFiles files = new StagedFiles()) {
            files.publicFile(file, encode(crl));
            files.commit();
        }
        return crl;
    }

    static BigInteger crlNumber(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (ext == null) {
            return BigInteger.ZERO;
        }
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets())
                .getValue();
    }
}
