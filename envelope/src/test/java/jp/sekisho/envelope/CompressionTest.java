package jp.sekisho.envelope;

import static jp.sekisho.envelope.Fixtures.openssl;
import static jp.sekisho.envelope.Fixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.envelope.EnvelopeException.Reason;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSCompressedDataStreamGenerator;
import org.bouncycastle.cms.CMSEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.operator.OutputCompressor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EnvelopedData( CompressedData( SignedData(file) ) ): round trips, the gateway's checks on it
 * (the same refusals as an uncompressed envelope, plus the route's compression flag), the bound
 * against decompression bombs and the refusal of an algorithm other than zlib.
 */
class CompressionTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential sender;
    static Credential contractor;
    static Credential other;
    static Path csv;
    static Path random;
    static List<X509Certificate> registered;

    @BeforeAll
    static void setUp() throws IOException {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        sender = pki.client("city-sender");
        contractor = pki.recipient("contractor");
        other = pki.recipient("other");
        csv = Fixtures.residentsCsv(dir, 20_000);
        random = Fixtures.randomFile(dir, "random.bin", 3 * 1024 * 1024 + 7, 7);
        registered = List.of(contractor.certificate());
    }

    static Identity signer() {
        return Identities.load(sender.certificateFile(), null);
    }

    static Path seal(Path plain, String name, ContentCipher cipher, int level, Credential... to) throws IOException {
        Path env = dir.resolve(name);
        try (InputStream in = Files.newInputStream(plain);
                OutputStream out = Files.newOutputStream(env)) {
            SealResult r = Sealer.seal(
                    in,
                    out,
                    signer(),
                    Stream.of(to).map(Credential::certificate).toList(),
                    cipher,
                    level);
            assertEquals(Files.size(plain), r.plaintextBytes());
            assertEquals(Files.size(env), r.envelopeBytes());
            assertEquals(sha256(env), r.envelopeSha256());
        }
        return env;
    }

    static OpenResult open(Path env, Path out, long maxInflated) {
        return Opener.open(
                env,
                out,
                contractor.privateKey(),
                contractor.certificate(),
                TrustAnchors.of(List.of(pki.caCertificate())),
                maxInflated);
    }

    static PayloadDecision check(Path env, List<X509Certificate> recipients, boolean allowCompression) {
        return EnvelopeInspector.check(EnvelopeInspector.inspect(env), recipients, false, allowCompression);
    }

    static PayloadRefusal refusal(Path env, List<X509Certificate> recipients, boolean allowCompression) {
        return assertInstanceOf(PayloadDecision.Refused.class, check(env, recipients, allowCompression))
                .reason();
    }

    @Test
    void csvRoundTripsCompressedAndShrinks() throws IOException {
        for (ContentCipher cipher : ContentCipher.values()) {
            Path env = seal(csv, "csv-" + cipher + ".cms", cipher, Compression.DEFAULT_LEVEL, contractor);
            assertTrue(Files.size(env) < Files.size(csv) / 3, Files.size(env) + " of " + Files.size(csv));
            Path out = dir.resolve("csv-" + cipher + ".out");
            OpenResult r = open(env, out, Compression.DEFAULT_MAX_INFLATED);
            assertEquals(sha256(csv), sha256(out));
            assertEquals(sha256(csv), r.plaintextSha256());
            assertEquals(Files.size(csv), r.bytes());
            Inspection i = EnvelopeInspector.inspect(env);
            assertTrue(i.compressed(), i.toString());
            assertEquals(Compression.COMPRESSED_DATA, i.encryptedContentTypeOid());
        }
    }

    /** BouncyCastle's own GCM (late AAD) and parsers read what Sealer wrote: the authAttrs are standard GCM AAD. */
    @Test
    void bouncyCastleOpensTheCompressedGcmEnvelopeOnItsOwn() throws Exception {
        Path env = seal(csv, "bc.cms", ContentCipher.AES_256_GCM, Compression.DEFAULT_LEVEL, contractor);
        byte[] content;
        try (InputStream in = Files.newInputStream(env)) {
            org.bouncycastle.cms.CMSAuthEnvelopedDataParser p = new org.bouncycastle.cms.CMSAuthEnvelopedDataParser(in);
            org.bouncycastle.cms.RecipientInformation ri =
                    p.getRecipientInfos().getRecipients().iterator().next();
            content = ri.getContent(
                    new org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient(contractor.privateKey())
                            .setProvider(Sealer.bc()));
            org.bouncycastle.asn1.cms.Attribute type =
                    p.getAuthAttrs().get(org.bouncycastle.asn1.cms.CMSAttributes.contentType);
            assertEquals(
                    CMSObjectIdentifiers.compressedData, type.getAttrValues().getObjectAt(0));
        }
        byte[] signed = new org.bouncycastle.cms.CMSCompressedData(content)
                .getContent(new org.bouncycastle.cms.jcajce.ZlibExpanderProvider());
        byte[] file = (byte[]) new org.bouncycastle.cms.CMSSignedData(signed)
                .getSignedContent()
                .getContent();
        assertEquals(
                sha256(csv),
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(file)));
    }

    @Test
    void binaryRoundTripsCompressed() throws IOException {
        Path env = seal(random, "random.cms", ContentCipher.AES_256_GCM, 9, contractor);
        assertTrue(Files.size(env) > Files.size(random), "random data does not shrink");
        Path out = dir.resolve("random.out");
        open(env, out, Compression.DEFAULT_MAX_INFLATED);
        assertEquals(sha256(random), sha256(out));
    }

    @Test
    void uncompressedEnvelopesStayAsTheyWereAndOpensslReadsThem() throws IOException {
        Path env = seal(csv, "plain-gcm.cms", ContentCipher.AES_256_GCM, Compression.NONE, contractor);
        Inspection i = EnvelopeInspector.inspect(env);
        assertFalse(i.compressed());
        assertEquals(CMSObjectIdentifiers.data.getId(), i.encryptedContentTypeOid());
        Path signed = dir.resolve("plain-gcm.signed");
        Procs.Result d = openssl(
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                env.toString(),
                "-recip",
                contractor.certificateFile().toString(),
                "-inkey",
                contractor.keyFile().toString(),
                "-out",
                signed.toString());
        assertTrue(d.ok(), d.out());
    }

    @Test
    void gatewayAcceptsCompressedOnlyWhereTheRouteAllowsIt() throws IOException {
        Path env = seal(csv, "route.cms", ContentCipher.AES_256_GCM, Compression.DEFAULT_LEVEL, contractor);
        assertTrue(check(env, registered, true).accepted());
        assertEquals(PayloadRefusal.COMPRESSION_NOT_ALLOWED, refusal(env, registered, false));
        // the running scan of an upload sees the same
        byte[] bytes = Files.readAllBytes(env);
        EnvelopeScanner scanner = new EnvelopeScanner();
        scanner.update(ByteBuffer.wrap(bytes));
        Inspection scanned = scanner.result().orElseThrow();
        assertTrue(scanned.compressed());
        assertEquals(
                PayloadRefusal.COMPRESSION_NOT_ALLOWED,
                assertInstanceOf(
                                PayloadDecision.Refused.class,
                                EnvelopeInspector.check(scanned, registered, false, false))
                        .reason());
        // an uncompressed one is not affected by the flag
        Path plain = seal(csv, "route-plain.cms", ContentCipher.AES_256_GCM, Compression.NONE, contractor);
        assertTrue(check(plain, registered, false).accepted());
    }

    @Test
    void compressedWithWrongRecipientsIsRefusedAsBefore() throws IOException {
        for (boolean allow : new boolean[] {true, false}) {
            Path forOther = seal(csv, "other-" + allow + ".cms", ContentCipher.AES_256_GCM, 1, other);
            Path plainForOther = seal(csv, "other-plain-" + allow + ".cms", ContentCipher.AES_256_GCM, 0, other);
            assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(forOther, registered, allow));
            assertEquals(refusal(plainForOther, registered, allow), refusal(forOther, registered, allow));
            Path extra = seal(csv, "extra-" + allow + ".cms", ContentCipher.AES_256_GCM, 1, contractor, other);
            assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(extra, registered, allow));
        }
        Path forOther = seal(csv, "other-open.cms", ContentCipher.AES_256_GCM, 1, other);
        EnvelopeException e =
                assertThrows(EnvelopeException.class, () -> open(forOther, dir.resolve("x.out"), Long.MAX_VALUE));
        assertEquals(Reason.NOT_FOR_THIS_RECIPIENT, e.reason());
    }

    @Test
    void compressedWithAWeakCipherIsRefusedAsBefore() throws Exception {
        for (ASN1ObjectIdentifier weak : List.of(CMSAlgorithm.AES128_CBC, CMSAlgorithm.DES_EDE3_CBC)) {
            Path env = dir.resolve("weak-" + weak + ".cms");
            handMade(env, weak, Compression.ZLIB);
            assertTrue(EnvelopeInspector.inspect(env).compressed());
            for (boolean allow : new boolean[] {true, false}) {
                assertEquals(PayloadRefusal.PAYLOAD_WEAK_CIPHER, refusal(env, registered, allow), weak.getId());
            }
            EnvelopeException e =
                    assertThrows(EnvelopeException.class, () -> open(env, dir.resolve("weak.out"), Long.MAX_VALUE));
            assertEquals(Reason.WEAK_CIPHER, e.reason());
        }
    }

    @Test
    void anotherCompressionAlgorithmIsRefusedAndLeavesNoFile() throws Exception {
        Path env = dir.resolve("lzma.cms");
        handMade(env, CMSAlgorithm.AES256_CBC, new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.3.99"));
        Path out = dir.resolve("lzma.out");
        EnvelopeException e = assertThrows(EnvelopeException.class, () -> open(env, out, Long.MAX_VALUE));
        assertEquals(Reason.COMPRESSION_UNSUPPORTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("1.2.840.113549.1.9.16.3.99"), e.getMessage());
        assertNothingLeft(out);
    }

    @Test
    void inflationPastTheBoundIsRefusedAndLeavesNoPlaintext() throws IOException {
        // 32 MiB of zeros: a small bomb, 1,000:1
        Path zeros = dir.resolve("zeros.bin");
        try (OutputStream o = Files.newOutputStream(zeros)) {
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 32; i++) {
                o.write(block);
            }
        }
        Path env = seal(zeros, "bomb.cms", ContentCipher.AES_256_GCM, 9, contractor);
        assertTrue(Files.size(env) < 200_000, "a bomb: " + Files.size(env));
        Path out = dir.resolve("bomb.out");
        EnvelopeException e = assertThrows(EnvelopeException.class, () -> open(env, out, 4L << 20));
        assertEquals(Reason.INFLATED_TOO_LARGE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("--max-inflated"), e.getMessage());
        assertNothingLeft(out);
        // within its bound the same envelope opens
        open(env, out, 64L << 20);
        assertEquals(sha256(zeros), sha256(out));
    }

    @Test
    void samplesTellTextFromRandom() throws IOException {
        assertTrue(Compressibility.looksCompressible(csv));
        assertFalse(Compressibility.looksCompressible(random));
        Path empty = Files.createFile(dir.resolve("empty"));
        assertFalse(Compressibility.looksCompressible(empty));
    }

    private static void assertNothingLeft(Path out) throws IOException {
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertEquals(
                    List.of(),
                    left.filter(p -> p.getFileName().toString().startsWith("." + out.getFileName()))
                            .toList());
        }
    }

    /**
     * A compressed envelope Sealer would never write: {@code cipher} for the content and
     * {@code compression} named as the algorithm (the bytes are zlib whatever it says).
     */
    private static void handMade(Path env, ASN1ObjectIdentifier cipher, ASN1ObjectIdentifier compression)
            throws Exception {
        Identity id = signer();
        CMSEnvelopedDataStreamGenerator enveloped = new CMSEnvelopedDataStreamGenerator();
        enveloped.addRecipientInfoGenerator(Sealer.recipientInfo(contractor.certificate()));
        OutputCompressor named = new OutputCompressor() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return new AlgorithmIdentifier(compression);
            }

            @Override
            public OutputStream getOutputStream(OutputStream out) {
                return Compression.zlib(1).getOutputStream(out);
            }
        };
        CMSSignedDataStreamGenerator signed = new CMSSignedDataStreamGenerator();
        signed.addSignerInfoGenerator(
                new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                        .build(
                                new JcaContentSignerBuilder(SignerInfos.signatureAlgorithm(id.privateKey()))
                                        .build(id.privateKey()),
                                id.certificate()));
        signed.addCertificates(new JcaCertStore(id.chain()));
        try (OutputStream file = Files.newOutputStream(env);
                OutputStream encrypted = enveloped.open(
                        CMSObjectIdentifiers.compressedData, file, new JceCMSContentEncryptorBuilder(cipher).build());
                OutputStream compressed =
                        new CMSCompressedDataStreamGenerator().open(CMSObjectIdentifiers.signedData, encrypted, named);
                OutputStream content = signed.open(compressed, true)) {
            content.write(Files.readAllBytes(csv));
        }
    }
}
