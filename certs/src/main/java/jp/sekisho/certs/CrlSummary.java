package jp.sekisho.certs;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a person checks on a CRL, in one record (for {@code certs show}): who signed it, its number,
 * when it was made and when it runs out (the gateway refuses every client of its issuer after
 * {@code nextUpdate}), and the revoked serials.
 *
 * @param number     the cRLNumber extension, or null when the CRL has none
 * @param nextUpdate null when the CRL has none (relying parties treat it as already due)
 */
public record CrlSummary(
        String issuer, BigInteger number, Instant thisUpdate, Instant nextUpdate, List<Revoked> revoked) {

    /**
     * One entry of the CRL.
     *
     * @param serial lower-case hex, as {@code certs show} prints a certificate's serial
     * @param reason the RFC 5280 name (keyCompromise, ...), or "unspecified" when the entry has none
     */
    public record Revoked(String serial, Instant date, String reason) {}

    public CrlSummary {
        revoked = List.copyOf(revoked);
    }

    public static CrlSummary of(X509CRL crl) {
        List<Revoked> entries = new ArrayList<>();
        if (crl.getRevokedCertificates() != null) {
            for (X509CRLEntry e : crl.getRevokedCertificates()) {
                entries.add(new Revoked(
                        e.getSerialNumber().toString(16).toLowerCase(Locale.ROOT),
                        e.getRevocationDate().toInstant(),
                        reasonName(e)));
            }
        }
        entries.sort(Comparator.comparing(Revoked::date).thenComparing(Revoked::serial));
        BigInteger number = crl.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLNumber.getId()) == null
                ? null
                : CrlSigner.crlNumber(crl);
        return new CrlSummary(
                crl.getIssuerX500Principal().getName(),
                number,
                crl.getThisUpdate().toInstant(),
                crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant(),
                entries);
    }

    @SuppressWarnings("EnumOrdinal") // CRLReason's ordinals are RFC 5280's reason codes, as CrlSigner reads them
    private static String reasonName(X509CRLEntry e) {
        if (e.getRevocationReason() == null) {
            return RevocationReason.unspecified.name();
        }
        int code = e.getRevocationReason().ordinal();
        for (RevocationReason r : RevocationReason.values()) {
            if (r.code() == code) {
                return r.name();
            }
        }
        return "code " + code;
    }
}
