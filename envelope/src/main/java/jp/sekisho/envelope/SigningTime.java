package jp.sekisho.envelope;

import java.io.IOException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInformation;

/**
 * The signing time of Sekisho's signatures, written and checked here. BouncyCastle
 * adds a signingTime itself when none is given, through {@code new Time(Date)}, which builds a
 * {@code SimpleDateFormat} and a Calendar: ~15 ms of a cold {@code send}, on the sealing thread that
 * the upload waits for (issue 18). The attribute is the same: RFC 5652, 11.3: UTCTime for 1950
 * through 2049, GeneralizedTime otherwise, in UTC to the second. BouncyCastle still adds the content
 * type, the message digest and the algorithm protection. When it verifies with the signer's
 * certificate, BouncyCastle reads the time back through SimpleDateFormat too (~16 ms of a cold
 * {@code receive}); {@link #certificateValidAt} makes the same check.
 */
final class SigningTime {

    private SigningTime() {}

    /** The signed-attribute generator for a signature made at {@code now}. */
    static CMSAttributeTableGenerator attributes(Instant now) {
        return new DefaultSignedAttributeTableGenerator(
                new AttributeTable(new Attribute(CMSAttributes.signingTime, new DERSet(time(now)))));
    }

    /** {@code at} as CMS writes a signing time, read back from its DER so that no date format is involved. */
    static Time time(Instant at) {
        LocalDateTime t = LocalDateTime.ofInstant(at, ZoneOffset.UTC);
        boolean utc = t.getYear() >= 1950 && t.getYear() <= 2049;
        StringBuilder s = new StringBuilder(15);
        if (utc) {
            two(s, t.getYear() % 100);
        } else {
            if (t.getYear() < 0 || t.getYear() > 9999) {
                throw new IllegalArgumentException("no CMS signing time for the year " + t.getYear());
            }
            two(s, t.getYear() / 100);
            two(s, t.getYear() % 100);
        }
        two(s, t.getMonthValue());
        two(s, t.getDayOfMonth());
        two(s, t.getHour());
        two(s, t.getMinute());
        two(s, t.getSecond());
        s.append('Z');
        byte[] der = new byte[2 + s.length()];
        der[0] = (byte) (utc ? 0x17 : 0x18); // UTCTime, GeneralizedTime
        der[1] = (byte) s.length();
        for (int i = 0; i < s.length(); i++) {
            der[2 + i] = (byte) s.charAt(i);
        }
        try {
            return Time.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException e) {
            throw new IllegalStateException("a signing time that does not parse: " + s, e);
        }
    }

    /**
     * What BouncyCastle checks when it verifies with a certificate: a signing time, when the signature
     * has one, must fall within the signer certificate's validity. The time is read without a
     * SimpleDateFormat when it is in DER's one form (UTC, to the second); any other form is left to
     * BouncyCastle's own reading. Call after the signature verified (the attribute is signed).
     */
    static boolean certificateValidAt(SignerInformation signer, X509Certificate cert) throws CMSException {
        AttributeTable signed = signer.getSignedAttributes();
        Attribute attr = signed == null ? null : signed.get(CMSAttributes.signingTime);
        if (attr == null) {
            return true;
        }
        if (attr.getAttrValues().size() != 1) {
            throw new CMSException("the signing-time attribute must have a single value");
        }
        Time time = Time.getInstance(attr.getAttrValues().getObjectAt(0));
        Instant at = parse(time.toASN1Primitive());
        try {
            cert.checkValidity(Date.from(at != null ? at : time.getDate().toInstant()));
            return true;
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            return false;
        }
    }

    /** A DER signing time ({@code YYMMDDHHMMSSZ} or {@code YYYYMMDDHHMMSSZ}), or null for any other form. */
    static Instant parse(ASN1Primitive p) {
        boolean utc = p instanceof ASN1UTCTime;
        if (!utc && !(p instanceof ASN1GeneralizedTime)) {
            return null;
        }
        String s;
        try {
            byte[] der = p.getEncoded(); // tag, one length byte, the characters
            s = der.length > 2 ? new String(der, 2, der.length - 2, java.nio.charset.StandardCharsets.US_ASCII) : "";
        } catch (IOException e) {
            return null;
        }
        if (!s.matches(utc ? "\\d{12}Z" : "\\d{14}Z")) {
            return null;
        }
        int year;
        if (utc) {
            int yy = Integer.parseInt(s.substring(0, 2));
            year = yy < 50 ? 2000 + yy : 1900 + yy;
            s = s.substring(2);
        } else {
            year = Integer.parseInt(s.substring(0, 4));
            s = s.substring(4);
        }
        try {
            return LocalDateTime.of(
                            year,
                            Integer.parseInt(s.substring(0, 2)),
                            Integer.parseInt(s.substring(2, 4)),
                            Integer.parseInt(s.substring(4, 6)),
                            Integer.parseInt(s.substring(6, 8)),
                            Integer.parseInt(s.substring(8, 10)))
                    .toInstant(ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static void two(StringBuilder s, int v) {
        s.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
