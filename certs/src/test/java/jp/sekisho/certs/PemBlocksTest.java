package jp.sekisho.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.certs.testing.TestPki;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PEM files Sekisho writes are read without BouncyCastle's PEMParser (issue 18: its class starts
 * java.util.logging, ~45 ms of a receive); what comes out must be exactly what PEMParser gives, and
 * anything else must go to PEMParser.
 */
class PemBlocksTest {

    @TempDir
    Path dir;

    @Test
    void sekishosOwnFilesReadAsPemParserReadsThem() throws Exception {
        TestPki pki = TestPki.create(dir);
        Credential c = pki.client("city-sender");
        String encryptedKey = Pem.encodePrivateKey(c.privateKey(), "passphrase".toCharArray());
        for (String text : List.of(
                Files.readString(c.certificateFile()),
                Files.readString(c.keyFile()),
                Files.readString(pki.caFile()),
                Files.readString(pki.crlFile()),
                encryptedKey,
                // a chain, CRLF line ends, text around the blocks
                "issued today\r\n" + Files.readString(c.certificateFile()).replace("\n", "\r\n")
                        + Files.readString(pki.caFile()) + "\nend\n")) {
            List<Object> fast = PemBlocks.simple(text);
            List<Object> parser = Pem.parse(new StringReader(text), dir);
            assertNotNull(fast, text);
            assertEquals(parser.size(), fast.size(), text);
            for (int i = 0; i < fast.size(); i++) {
                assertEquals(parser.get(i).getClass(), fast.get(i).getClass());
                assertArrayEquals(der(parser.get(i)), der(fast.get(i)));
            }
        }
        assertEquals(c.privateKey(), Pem.readPrivateKey(c.keyFile(), null));
        Path enc = Files.writeString(dir.resolve("enc.key"), encryptedKey);
        assertEquals(c.privateKey(), Pem.readPrivateKey(enc, "passphrase".toCharArray()));
    }

    @Test
    void everythingElseIsLeftToPemParser() {
        String body = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"; // no key: never decoded
        assertNull(PemBlocks.simple(block("EC PRIVATE KEY", body)), "OpenSSL's traditional EC key");
        assertNull(
                PemBlocks.simple(
                        block("RSA PRIVATE KEY", "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n" + body)),
                "an RFC 1421 header");
        assertNull(PemBlocks.simple("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"));
        assertNull(PemBlocks.simple("-----BEGIN CERTIFICATE-----\nAAAA\n")); // never ended
        assertNull(PemBlocks.simple("-----BEGIN CERTIFICATE-----\nAAAA\n-----END " + "X509 CRL-----\n")); // another END
        assertNull(PemBlocks.simple("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")); // not DER
        assertTrue(PemBlocks.simple("no PEM here\n").isEmpty());
    }

    @Test
    void aBrokenFileStillGetsPemParsersError() throws Exception {
        Path broken = Files.writeString(
                dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n", StandardCharsets.US_ASCII);
        PkiException e =
                org.junit.jupiter.api.Assertions.assertThrows(PkiException.class, () -> Pem.readCertificates(broken));
        assertTrue(e.getMessage().contains("not valid PEM"), e.getMessage());
    }

    /** A PEM block of {@code label} around {@code content}. */
    private static String block(String label, String content) {
        return "-----BEGIN " + label + "-----\n" + content + "-----END " + label + "-----\n";
    }

    private static byte[] der(Object o) throws Exception {
        if (o instanceof X509CertificateHolder h) {
            return h.getEncoded();
        }
        if (o instanceof X509CRLHolder h) {
            return h.getEncoded();
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo e) {
            return e.getEncoded();
        }
        return ((ASN1Encodable) o).toASN1Primitive().getEncoded();
    }
}
