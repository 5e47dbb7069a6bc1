package jp.sekisho.envelope;

import static jp.sekisho.envelope.Fixtures.openssl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.SequenceInputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.envelope.cli.OpenCommand;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The accepted profile (issue 12): envelopes that a CMS parser takes but that carry bytes in the
 * clear, a short GCM tag, odd GCM parameters, a weak AES or a field over its bound are refused by
 * the inspector, by the gateway's streaming scan and by {@code open}, each with the same code, and
 * {@code open} leaves no file behind. Each hostile envelope is built from a valid one with
 * BouncyCastle's ASN.1 classes, its ciphertext untouched.
 */
class EnvelopeProfileTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential sender;
    static Credential contractor;
    static List<X509Certificate> registered;
    static byte[] sealedGcm;
    static byte[] sealedCbc;
    static byte[] csvBytes;
    static int outDirs;

    @BeforeAll
    static void setUp() throws IOException {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        sender = pki.client("city-sender");
        contractor = pki.recipient("contractor");
        registered = List.of(contractor.certificate());
        Path csv = Fixtures.residentsCsv(dir, 1_200); // ~90 KB, what the campaign smuggled
        csvBytes = Files.readAllBytes(csv);
        sealedGcm = seal(csv, ContentCipher.AES_256_GCM);
        sealedCbc = seal(csv, ContentCipher.AES_256_CBC);
    }

    private static byte[] seal(Path plain, ContentCipher cipher) throws IOException {
        Path env = Files.createTempFile(dir, "sealed", ".cms");
        try (InputStream in = Files.newInputStream(plain);
                OutputStream out = Files.newOutputStream(env)) {
            Sealer.seal(in, out, Identities.load(sender.certificateFile(), null), registered, cipher);
        }
        return Files.readAllBytes(env);
    }

    // ------------------------------------------------------------------ the checks, all three ways

    /** The gateway's verdict as it decides: the running scan's when it has one, else the inspector's. */
    static PayloadDecision streamed(byte[] envelope, boolean allowCbc, Random r) {
        EnvelopeScanner s = new EnvelopeScanner();
        int i = 0;
        while (i < envelope.length) {
            int n = Math.min(envelope.length - i, 1 + r.nextInt(20_000));
            s.update(ByteBuffer.wrap(envelope, i, n));
            i += n;
        }
        Optional<Inspection> scanned = s.result();
        Inspection inspection = scanned.orElseGet(() -> EnvelopeInspector.inspect(new ByteArrayInputStream(envelope)));
        return EnvelopeInspector.check(inspection, registered, allowCbc);
    }

    static PayloadRefusal refusal(PayloadDecision d, String name) {
        return assertInstanceOf(PayloadDecision.Refused.class, d, name).reason();
    }

    /** {@code open} from a file and from a stream; both refuse for {@code expected} and leave nothing. */
    static void openRefuses(String name, byte[] envelope, EnvelopeException.Reason expected) throws IOException {
        Path file = dir.resolve("hostile-" + outDirs + ".cms");
        Files.write(file, envelope);
        Path outDir = Files.createDirectories(dir.resolve("out-" + outDirs++));
        Path out = outDir.resolve("plain.csv");
        EnvelopeException fromFile = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(file, out, contractor.privateKey(), null, TrustAnchors.fromPem(pki.caFile())),
                name);
        assertEquals(expected, fromFile.reason(), name + ": " + fromFile.getMessage());
        EnvelopeException fromStream = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        () -> new ByteArrayInputStream(envelope),
                        out,
                        contractor.privateKey(),
                        contractor.certificate(),
                        TrustAnchors.fromPem(pki.caFile())),
                name);
        assertEquals(expected, fromStream.reason(), name + ": " + fromStream.getMessage());
        try (Stream<Path> left = Files.list(outDir)) {
            assertEquals(List.of(), left.toList(), name + ": no output or temporary file may remain");
        }
    }

    static void refusedEverywhere(
            String name, byte[] envelope, boolean allowCbc, PayloadRefusal code, EnvelopeException.Reason openCode)
            throws IOException {
        Random r = new Random(name.hashCode());
        PayloadDecision inspected = EnvelopeInspector.check(
                EnvelopeInspector.inspect(new ByteArrayInputStream(envelope)), registered, allowCbc);
        assertEquals(code, refusal(inspected, name), name + ": " + inspected);
        assertEquals(code, refusal(streamed(envelope, allowCbc, r), name), name + " (streaming)");
        openRefuses(name, envelope, openCode);
    }

    static void malformed(String name, byte[] envelope) throws IOException {
        refusedEverywhere(
                name, envelope, true, PayloadRefusal.PAYLOAD_MALFORMED, EnvelopeException.Reason.PAYLOAD_MALFORMED);
    }

    // ------------------------------------------------------------------ the cases

    @Test
    void theValidEnvelopesStillPassAndOpen() throws IOException {
        Random r = new Random(1);
        for (byte[] env : List.of(sealedGcm, sealedCbc, Hostile.auth(sealedGcm, a -> a))) {
            assertTrue(streamed(env, true, r).accepted());
            assertTrue(
                    EnvelopeInspector.check(EnvelopeInspector.inspect(new ByteArrayInputStream(env)), registered, true)
                            .accepted());
            Path out = dir.resolve("valid.out");
            Opener.open(
                    () -> new ByteArrayInputStream(env),
                    out,
                    contractor.privateKey(),
                    null,
                    TrustAnchors.fromPem(pki.caFile()));
            assertArrayEquals(csvBytes, Files.readAllBytes(out));
        }
    }

    @Test
    void unauthenticatedAttributesCarryingTheCsvAreRefused() throws IOException {
        byte[] smuggling = Hostile.auth(sealedGcm, a -> a.withUnauthAttrs(Hostile.attributes(csvBytes)));
        assertTrue(Hostile.indexOf(smuggling, Arrays.copyOf(csvBytes, 200)) > 0, "the CSV is in the clear");
        malformed("unauthAttrs with the CSV", smuggling);
        // an empty attribute set is refused too: the field itself is outside the profile
        malformed(
                "unauthAttrs, empty",
                Hostile.auth(sealedGcm, a -> a.withUnauthAttrs(new org.bouncycastle.asn1.DERSet())));
    }

    @Test
    void authenticatedAttributesAreRefusedWhateverTheirSize() throws IOException {
        malformed(
                "authAttrs, 1 MB",
                Hostile.auth(sealedGcm, a -> a.withAuthAttrs(Hostile.attributes(new byte[1 << 20]))));
        malformed("authAttrs, small", Hostile.auth(sealedGcm, a -> a.withAuthAttrs(Hostile.attributes(new byte[4]))));
    }

    @Test
    void unprotectedAttributesInCbcEnvelopesAreRefused() throws IOException {
        malformed("unprotectedAttrs with the CSV", Hostile.envelopedWithUnprotected(sealedCbc, csvBytes));
    }

    @Test
    void gcmTagsAndParametersOutsideTheProfileAreRefused() throws IOException {
        byte[] mac = Hostile.Auth.of(sealedGcm).mac().getOctets();
        malformed("ICV 8", Hostile.auth(sealedGcm, a -> a.withGcm(12, 8).withMac(Arrays.copyOf(mac, 8))));
        malformed("ICV 12", Hostile.auth(sealedGcm, a -> a.withGcm(12, 12).withMac(Arrays.copyOf(mac, 12))));
        malformed("ICV absent (RFC 5084 default 12)", Hostile.auth(sealedGcm, a -> a.withGcm(12, null)));
        malformed("nonce 8", Hostile.auth(sealedGcm, a -> a.withGcm(8, 16)));
        malformed("nonce 16", Hostile.auth(sealedGcm, a -> a.withGcm(16, 16)));
        malformed("ICV 16 declared, mac 8", Hostile.auth(sealedGcm, a -> a.withMac(Arrays.copyOf(mac, 8))));
        malformed("mac 32", Hostile.auth(sealedGcm, a -> a.withMac(Arrays.copyOf(mac, 32))));
        malformed(
                "no GCM parameters",
                Hostile.auth(
                        sealedGcm, a -> a.withAlgorithm(new AlgorithmIdentifier(ContentCipher.AES_256_GCM.oid()))));
        GCMParameters p = GCMParameters.getInstance(Hostile.Auth.of(sealedGcm)
                .content()
                .getContentEncryptionAlgorithm()
                .getParameters());
        assertEquals(16, p.getIcvLen(), "the Sealer writes the full tag");
    }

    @Test
    void aes128And192GcmAreWeakCiphersFromOpensslAndBuilt() throws IOException {
        for (String cipher : List.of("-aes-128-gcm", "-aes-192-gcm")) {
            Path env = dir.resolve("openssl" + cipher + ".cms");
            Path plain = Files.write(dir.resolve("p.csv"), csvBytes);
            assertTrue(openssl(
                            "cms",
                            "-encrypt",
                            "-binary",
                            cipher,
                            "-outform",
                            "DER",
                            "-in",
                            plain.toString(),
                            "-out",
                            env.toString(),
                            "-recip",
                            contractor.certificateFile().toString())
                    .ok());
            refusedEverywhere(
                    "openssl " + cipher,
                    Files.readAllBytes(env),
                    true,
                    PayloadRefusal.PAYLOAD_WEAK_CIPHER,
                    EnvelopeException.Reason.WEAK_CIPHER);
        }
        // the AES-128 OID on our own envelope, and with a short tag as well: weak comes first
        GCMParameters p = GCMParameters.getInstance(Hostile.Auth.of(sealedGcm)
                .content()
                .getContentEncryptionAlgorithm()
                .getParameters());
        byte[] aes128 = Hostile.auth(
                sealedGcm,
                a -> a.withAlgorithm(new AlgorithmIdentifier(
                        org.bouncycastle.cms.CMSAlgorithm.AES128_GCM,
                        new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                            new org.bouncycastle.asn1.DEROctetString(p.getNonce()),
                            new org.bouncycastle.asn1.ASN1Integer(8)
                        }))));
        refusedEverywhere(
                "AES-128-GCM, ICV 8",
                aes128,
                true,
                PayloadRefusal.PAYLOAD_WEAK_CIPHER,
                EnvelopeException.Reason.WEAK_CIPHER);
    }

    @Test
    void oversizedRecipientSetsAndKeysAreRefused() throws IOException {
        Hostile.Auth a = Hostile.Auth.of(sealedGcm);
        malformed(
                "17 recipient infos",
                a.withRecipients(Hostile.recipients(a.recipients(), 17)).encode());
        malformed(
                "an encrypted key of 2 KB",
                a.withRecipients(Hostile.recipientWithKeyOf(a.recipients(), 2048))
                        .encode());
        malformed(
                "1,000 recipient infos",
                a.withRecipients(Hostile.recipients(a.recipients(), 1_000)).encode());
        // 16 copies of the registered recipient, and a key of RSA-8192's size, are within the bounds
        byte[] sixteen =
                a.withRecipients(Hostile.recipients(a.recipients(), 16)).encode();
        assertTrue(streamed(sixteen, false, new Random(2)).accepted());
        Inspection big = EnvelopeInspector.inspect(
                new ByteArrayInputStream(a.withRecipients(Hostile.recipientWithKeyOf(a.recipients(), 1024))
                        .encode()));
        assertEquals(null, big.outsideProfile(), big.toString());
    }

    @Test
    void hugeOidsAndDeepNestingAreRefusedBeforeTheyAreParsed() throws IOException {
        Hostile.Auth a = Hostile.Auth.of(sealedGcm);
        malformed(
                "a 300-byte content-encryption OID",
                a.withAlgorithm(new AlgorithmIdentifier(Hostile.longOid(100))).encode());
        malformed(
                "200 nested SEQUENCEs",
                a.withRecipients(Hostile.recipientNested(a.recipients(), 200)).encode());
        malformed("12 nested indefinite lengths", Hostile.indefiniteNesting(sealedGcm, 12));
        // 100,000 levels: BouncyCastle would recurse into them; the walk stops at the bound
        malformed("100,000 nested indefinite lengths", Hostile.indefiniteNesting(sealedGcm, 100_000));
        // within the bounds: a recipient set with 4 nested levels is only not a recipient (no profile refusal)
        Inspection i = EnvelopeInspector.inspect(new ByteArrayInputStream(Hostile.indefiniteNesting(sealedGcm, 3)));
        assertEquals(null, i.outsideProfile(), i.toString());
    }

    @Test
    void originatorInfoAndFieldsAfterTheContentAreRefused() throws Exception {
        Certificate cert = Certificate.getInstance(contractor.certificate().getEncoded());
        malformed(
                "originatorInfo with certificates",
                Hostile.auth(sealedGcm, a -> a.withOriginator(Hostile.originatorWith(cert, cert))));
        malformed(
                "originatorInfo, empty",
                Hostile.auth(
                        sealedGcm, a -> a.withOriginator(new org.bouncycastle.asn1.cms.OriginatorInfo(null, null))));
        malformed("a ContentInfo with the CSV after its content", Hostile.contentInfoWithExtra(sealedGcm, csvBytes));
    }

    @Test
    void trailingBytesAndTruncationStayNotEncrypted() throws IOException {
        byte[] plus = Arrays.copyOf(sealedGcm, sealedGcm.length + 100);
        System.arraycopy(csvBytes, 0, plus, sealedGcm.length, 100);
        refusedEverywhere(
                "CSV after the envelope",
                plus,
                true,
                PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                EnvelopeException.Reason.NOT_CMS);
        refusedEverywhere(
                "cut before the tag",
                Arrays.copyOf(sealedGcm, sealedGcm.length - 30),
                true,
                PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                EnvelopeException.Reason.NOT_CMS);
    }

    @Test
    void aRefusedFieldIsNotReadAnyFurther() {
        // a trailer [2] claiming 2 GB, followed by endless plaintext: refused after the header's bytes
        Hostile.Auth a = Hostile.Auth.of(sealedGcm);
        byte[] streamed = Hostile.streamed(a, Hostile.der(a.recipients()));
        byte[] head = Arrays.copyOf(streamed, streamed.length - 6);
        byte[] attr = {(byte) 0xa2, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        long[] read = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read[0]++;
                return 'A';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (read[0] > 64L * 1024 * 1024) {
                    throw new AssertionError("read on past 64 MiB: the refused field is being consumed");
                }
                Arrays.fill(b, off, off + len, (byte) 'A');
                read[0] += len;
                return len;
            }
        };
        Inspection i = EnvelopeInspector.inspect(new SequenceInputStream(
                new SequenceInputStream(new ByteArrayInputStream(head), new ByteArrayInputStream(attr)), endless));
        assertTrue(i.outsideProfile() != null && i.outsideProfile().contains("unauthAttrs"), i.toString());
        assertTrue(read[0] <= 1024 * 1024, "read " + read[0] + " bytes past the refused field");
        assertEquals(
                PayloadRefusal.PAYLOAD_MALFORMED, refusal(EnvelopeInspector.check(i, registered, false), "endless"));
    }

    @Test
    void theHeaderAloneGivesTheEarlyRefusal() {
        byte[] icv8 = Hostile.auth(sealedGcm, a -> a.withGcm(12, 8));
        Inspection early = EnvelopeInspector.inspectHeader(icv8, 8192).orElseThrow();
        assertEquals(
                PayloadRefusal.PAYLOAD_MALFORMED, refusal(EnvelopeInspector.check(early, registered, false), "early"));
    }

    @Test
    void theOpenCommandRefusesWithTheCodeInJapaneseAndEnglish() throws IOException {
        byte[] smuggling = Hostile.auth(sealedGcm, a -> a.withUnauthAttrs(Hostile.attributes(csvBytes)));
        Path in = Files.write(dir.resolve("cli-smuggling.cms"), smuggling);
        Path out = dir.resolve("cli-smuggling.csv");
        StringWriter err = new StringWriter();
        CommandLine cmd = CliErrors.configure(new CommandLine(new OpenCommand()));
        cmd.setOut(new PrintWriter(new StringWriter()));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(
                "--in",
                in.toString(),
                "--out",
                out.toString(),
                "--key",
                contractor.keyFile().toString(),
                "--trust",
                pki.caFile().toString());
        assertEquals(ExitCode.REFUSED, exit, err.toString());
        assertTrue(err.toString().startsWith("open: PAYLOAD_MALFORMED: 封筒の構造"), err.toString());
        assertTrue(err.toString().contains("unauthAttrs"), err.toString());
        assertTrue(!Files.exists(out));
    }
}
