package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.testing.TestPki;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signing time Sekisho writes and checks itself (issue 18: BouncyCastle's own went through
 * SimpleDateFormat) must be what BouncyCastle wrote and checked: RFC 5652's UTCTime for 1950–2049,
 * GeneralizedTime outside, to the second, read back as the same instant, and a signer certificate
 * that was not valid at that time refused.
 */
class SigningTimeTest {

    @Test
    void utcTimeFrom1950Through2049() {
        for (String at : new String[] {"2026-12-06T03:04:05.678Z", "1950-01-01T00:00:00Z", "2049-12-31T23:59:59Z"}) {
            Instant t = Instant.parse(at);
            var time = SigningTime.time(t);
            assertInstanceOf(ASN1UTCTime.class, time.toASN1Primitive(), at);
            assertEquals(t.getEpochSecond() * 1000, time.getDate().getTime(), at);
        }
        assertEquals(
                "261206030405Z",
                SigningTime.time(Instant.parse("2026-12-06T03:04:05.678Z"))
                        .toASN1Primitive()
                        .toString());
    }

    @Test
    void generalizedTimeOutside() {
        for (String at : new String[] {"2050-01-01T00:00:00Z", "1949-12-31T23:59:59Z", "2107-07-07T07:07:07Z"}) {
            Instant t = Instant.parse(at);
            var time = SigningTime.time(t);
            assertInstanceOf(ASN1GeneralizedTime.class, time.toASN1Primitive(), at);
            assertEquals(t.getEpochSecond() * 1000, time.getDate().getTime(), at);
        }
        assertThrows(IllegalArgumentException.class, () -> SigningTime.time(Instant.parse("+10000-01-01T00:00:00Z")));
    }

    @Test
    void theTimeIsReadBackAsBouncyCastleReadsIt() throws Exception {
        for (String at : new String[] {
            "2026-12-06T03:04:05Z",
            "1950-01-01T00:00:00Z",
            "2049-12-31T23:59:59Z",
            "2050-01-01T00:00:00Z",
            "1949-12-31T23:59:59Z"
        }) {
            var time = SigningTime.time(Instant.parse(at));
            assertEquals(time.getDate().toInstant(), SigningTime.parse(time.toASN1Primitive()), at);
        }
        // forms DER does not allow are left to BouncyCastle: not read here
        for (byte[] der : new byte[][] {
            ascii(0x17, "2612060304Z"), // no seconds
            ascii(0x17, "261206030405+0900"), // an offset
            ascii(0x18, "20261206030405.5Z"), // a fraction
            ascii(0x17, "261306030405Z") // month 13
        }) {
            ASN1Primitive p;
            try {
                p = ASN1Primitive.fromByteArray(der);
            } catch (java.io.IOException | RuntimeException refusedByBouncyCastle) {
                continue; // BouncyCastle reads none of it: no signature with it verifies
            }
            assertNull(SigningTime.parse(p), p.toString());
        }
    }

    @Test
    void theSignersCertificateMustBeValidAtTheSigningTime(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir);
        Credential now = pki.client("now");
        Credential old = pki.expiredClient("old"); // valid yesterday only
        byte[] signed =
                SignedStatement.sign(new byte[] {1, 2, 3}, new Identity(now.privateKey(), List.of(now.certificate())));
        SignerInformation signer = new CMSSignedData(signed)
                .getSignerInfos()
                .getSigners()
                .iterator()
                .next();
        assertTrue(SigningTime.certificateValidAt(signer, now.certificate()));
        assertFalse(SigningTime.certificateValidAt(signer, old.certificate()), "signed today, valid yesterday only");
    }

    private static byte[] ascii(int tag, String s) {
        byte[] der = new byte[2 + s.length()];
        der[0] = (byte) tag;
        der[1] = (byte) s.length();
        for (int i = 0; i < s.length(); i++) {
            der[2 + i] = (byte) s.charAt(i);
        }
        return der;
    }
}
