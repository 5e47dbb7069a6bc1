package jp.sekisho.envelope;

import static jp.sekisho.envelope.Fixtures.openssl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's payload checks, on envelopes made by openssl and by the Sealer. */
class EnvelopeInspectorTest {

    @TempDir
    static Path dir;

    static Credential sender;
    static Credential contractor;
    static Credential contractorEc;
    static Credential other;
    static Path csv;
    static List<X509Certificate> registered;

    @BeforeAll
    static void setUp() throws IOException {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        sender = pki.client("city-sender");
        contractor = pki.recipient("contractor");
        contractorEc = pki.authority()
                .issue(new IssueRequest(
                        "contractor-ec",
                        CertKind.RECIPIENT,
                        null,
                        null,
                        List.of(),
                        List.of(),
                        30,
                        KeyAlgorithm.EC_P256,
                        null,
                        false));
        other = pki.recipient("other");
        csv = Fixtures.residentsCsv(dir, 2_000);
        registered = List.of(contractor.certificate());
    }

    private static Path opensslEncrypt(String name, String cipher, Credential... to) {
        Path env = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of(
                "cms",
                "-encrypt",
                "-binary",
                cipher,
                "-outform",
                "DER",
                "-in",
                csv.toString(),
                "-out",
                env.toString()));
        for (Credential c : to) {
            args.add("-recip");
            args.add(c.certificateFile().toString());
        }
        Procs.Result r = openssl(args.toArray(String[]::new));
        assertTrue(r.ok(), r.out());
        return env;
    }

    private static Path seal(String name, ContentCipher cipher, Credential... to) throws IOException {
        Path env = dir.resolve(name);
        List<X509Certificate> certs = new ArrayList<>();
        for (Credential c : to) {
            certs.add(c.certificate());
        }
        try (InputStream in = Files.newInputStream(csv);
                OutputStream out = Files.newOutputStream(env)) {
            Sealer.seal(in, out, Identities.load(sender.certificateFile(), null), certs, cipher);
        }
        return env;
    }

    private static PayloadRefusal refusal(Path env, List<X509Certificate> recipients, boolean allowCbc) {
        PayloadDecision d = EnvelopeInspector.check(EnvelopeInspector.inspect(env), recipients, allowCbc);
        return assertInstanceOf(PayloadDecision.Refused.class, d).reason();
    }

    @Test
    void sealedEnvelopeIsAcceptedAndDescribed() throws IOException {
        Path env = seal("ok.cms", ContentCipher.AES_256_GCM, contractor);
        Inspection i = EnvelopeInspector.inspect(env);
        assertEquals(EnvelopeKind.AUTH_ENVELOPED, i.kind());
        assertEquals("AES-256-GCM", i.contentCipherName());
        assertEquals(256, i.keyBits());
        assertEquals(1, i.recipients().size());
        assertEquals(EnvelopeRecipient.Type.KEY_TRANSPORT, i.recipients().get(0).type());
        assertEquals(
                contractor.certificate().getSerialNumber(),
                i.recipients().get(0).serial());
        assertTrue(i.complete() && i.contentPresent() && i.encryptedContentBytes() > Files.size(csv), i.toString());
        assertTrue(EnvelopeInspector.check(i, registered, false).accepted());
    }

    @Test
    void ecRecipientAndTwoRegisteredRecipientsAreAccepted() throws IOException {
        Path env = seal("two.cms", ContentCipher.AES_256_GCM, contractor, contractorEc);
        List<X509Certificate> both = List.of(contractorEc.certificate(), contractor.certificate());
        assertTrue(EnvelopeInspector.check(EnvelopeInspector.inspect(env), both, false)
                .accepted());
        // only one of the two registered: the other registered recipient could not read it
        Path one = seal("one.cms", ContentCipher.AES_256_GCM, contractorEc);
        assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(one, both, false));
    }

    @Test
    void plainFileAndSignedDataAndGarbageAreNotEncrypted() throws IOException {
        assertEquals(PayloadRefusal.PAYLOAD_NOT_ENCRYPTED, refusal(csv, registered, true));
        Path signed = dir.resolve("signed.der");
        assertTrue(openssl(
                        "cms",
                        "-sign",
                        "-binary",
                        "-nodetach",
                        "-outform",
                        "DER",
                        "-in",
                        csv.toString(),
                        "-out",
                        signed.toString(),
                        "-signer",
                        sender.certificateFile().toString(),
                        "-inkey",
                        sender.keyFile().toString(),
                        "-md",
                        "sha256")
                .ok());
        Inspection i = EnvelopeInspector.inspect(signed);
        assertEquals(EnvelopeKind.SIGNED, i.kind());
        assertEquals(PayloadRefusal.PAYLOAD_NOT_ENCRYPTED, refusal(signed, registered, true));
        // a SEQUENCE claiming 2 GB, and an empty upload
        byte[] garbage = {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x06, 0x01, 0x00};
        Inspection g = EnvelopeInspector.inspect(new ByteArrayInputStream(garbage));
        assertEquals(EnvelopeKind.OTHER, g.kind());
        assertEquals(
                PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                ((PayloadDecision.Refused) EnvelopeInspector.check(g, registered, true)).reason());
        assertEquals(
                EnvelopeKind.OTHER,
                EnvelopeInspector.inspect(new ByteArrayInputStream(new byte[0])).kind());
    }

    @Test
    void truncatedEnvelopeIsRefused() throws IOException {
        Path env = seal("trunc.cms", ContentCipher.AES_256_GCM, contractor);
        byte[] all = Files.readAllBytes(env);
        byte[] cut = java.util.Arrays.copyOf(all, all.length / 2);
        Inspection i = EnvelopeInspector.inspect(new ByteArrayInputStream(cut));
        assertEquals(EnvelopeKind.AUTH_ENVELOPED, i.kind());
        assertFalse(i.complete(), i.toString());
        assertEquals(
                PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                ((PayloadDecision.Refused) EnvelopeInspector.check(i, registered, true)).reason());
    }

    @Test
    void bytesAfterTheEnvelopeOrAMissingEndAreRefused() throws IOException {
        byte[] env = Files.readAllBytes(seal("whole.cms", ContentCipher.AES_256_GCM, contractor));
        assertTrue(EnvelopeInspector.inspect(dir.resolve("whole.cms")).complete());
        // plaintext appended to a valid envelope must not ride through the gateway with it
        byte[] tail = "DUMMY 山田 太郎,1970-01-01,福岡県久留米市\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] plus = java.util.Arrays.copyOf(env, env.length + tail.length);
        System.arraycopy(tail, 0, plus, env.length, tail.length);
        Path appended = dir.resolve("appended.cms");
        Files.write(appended, plus);
        Inspection i = EnvelopeInspector.inspect(appended);
        assertFalse(i.complete(), i.toString());
        assertTrue(i.problem().contains("bytes after the end of the outermost element"), i.problem());
        assertEquals(PayloadRefusal.PAYLOAD_NOT_ENCRYPTED, refusal(appended, registered, false));
        // the closing end-of-contents cut off, one or all three of them
        for (int missing : new int[] {2, 6}) {
            Path cut = dir.resolve("unclosed" + missing + ".cms");
            Files.write(cut, java.util.Arrays.copyOf(env, env.length - missing));
            Inspection c = EnvelopeInspector.inspect(cut);
            assertFalse(c.complete(), c.toString());
            assertEquals(PayloadRefusal.PAYLOAD_NOT_ENCRYPTED, refusal(cut, registered, false));
        }
    }

    @Test
    void weakCiphersAreRefused() {
        for (String cipher : List.of("-des3", "-aes128", "-aes-128-gcm", "-aes192")) {
            Path env = opensslEncrypt("weak" + cipher + ".cms", cipher, contractor);
            assertEquals(PayloadRefusal.PAYLOAD_WEAK_CIPHER, refusal(env, registered, true), cipher);
        }
        Inspection des = EnvelopeInspector.inspect(dir.resolve("weak-des3.cms"));
        assertEquals("DES-EDE3-CBC", des.contentCipherName());
    }

    @Test
    void cbcIsRefusedUnlessTheRouteAllowsIt() throws IOException {
        Path openssl = opensslEncrypt("cbc-openssl.cms", "-aes256", contractor);
        assertEquals(PayloadRefusal.PAYLOAD_WEAK_CIPHER, refusal(openssl, registered, false));
        assertTrue(EnvelopeInspector.check(EnvelopeInspector.inspect(openssl), registered, true)
                .accepted());
        Path sealed = seal("cbc-sealed.cms", ContentCipher.AES_256_CBC, contractor);
        assertEquals(PayloadRefusal.PAYLOAD_WEAK_CIPHER, refusal(sealed, registered, false));
        assertTrue(EnvelopeInspector.check(EnvelopeInspector.inspect(sealed), registered, true)
                .accepted());
    }

    @Test
    void otherOrExtraRecipientIsWrongRecipient() throws IOException {
        Path forOther = opensslEncrypt("other.cms", "-aes-256-gcm", other);
        assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(forOther, registered, false));
        Path extra = opensslEncrypt("extra.cms", "-aes-256-gcm", contractor, other);
        assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(extra, registered, false));
        Path sealedExtra = seal("sealed-extra.cms", ContentCipher.AES_256_GCM, contractor, contractorEc);
        assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(sealedExtra, registered, false));
        Path right = opensslEncrypt("right.cms", "-aes-256-gcm", contractor);
        assertTrue(EnvelopeInspector.check(EnvelopeInspector.inspect(right), registered, false)
                .accepted());
    }

    @Test
    void subjectKeyIdentifierRecipientsMatch() {
        Path env = dir.resolve("ski.cms");
        Procs.Result r = openssl(
                "cms",
                "-encrypt",
                "-binary",
                "-aes-256-gcm",
                "-keyid",
                "-outform",
                "DER",
                "-in",
                csv.toString(),
                "-out",
                env.toString(),
                "-recip",
                contractor.certificateFile().toString());
        assertTrue(r.ok(), r.out());
        Inspection i = EnvelopeInspector.inspect(env);
        assertTrue(
                i.recipients().get(0).subjectKeyIdentifier() != null
                        && i.recipients().get(0).issuer() == null,
                i.toString());
        assertTrue(EnvelopeInspector.check(i, registered, false).accepted());
        assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, refusal(env, List.of(other.certificate()), false));
    }

    @Test
    void headerFromTheFirstBytesOfAnUploadGivesEarlyDecisions() throws IOException {
        byte[] env = Files.readAllBytes(seal("early.cms", ContentCipher.AES_256_GCM, contractor));
        assertTrue(EnvelopeInspector.inspectHeader(env, 40).isEmpty(), "40 bytes cannot hold the recipients");
        Inspection early = EnvelopeInspector.inspectHeader(env, 8192).orElseThrow();
        assertTrue(early.headerOnly() && !early.complete(), early.toString());
        assertEquals("AES-256-GCM", early.contentCipherName());
        assertTrue(EnvelopeInspector.check(early, registered, false).accepted());
        assertEquals(
                PayloadRefusal.PAYLOAD_WRONG_RECIPIENT,
                assertInstanceOf(
                                PayloadDecision.Refused.class,
                                EnvelopeInspector.check(early, List.of(other.certificate()), false))
                        .reason());

        byte[] weak = Files.readAllBytes(opensslEncrypt("early-weak.cms", "-aes128", contractor));
        assertEquals(
                PayloadRefusal.PAYLOAD_WEAK_CIPHER,
                assertInstanceOf(
                                PayloadDecision.Refused.class,
                                EnvelopeInspector.check(
                                        EnvelopeInspector.inspectHeader(weak, 4096)
                                                .orElseThrow(),
                                        registered,
                                        true))
                        .reason());

        byte[] text = Files.readAllBytes(csv);
        Inspection plainText = EnvelopeInspector.inspectHeader(text, 100).orElseThrow();
        assertEquals(
                PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                assertInstanceOf(PayloadDecision.Refused.class, EnvelopeInspector.check(plainText, registered, true))
                        .reason());
        // a CSV whose first byte happens to be '0' (0x30, SEQUENCE) is still recognised as garbage
        byte[] zeroCsv = "0001,山田 太郎,久留米市\n0002,佐藤 花子,東京都\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Inspection zero = EnvelopeInspector.inspect(new ByteArrayInputStream(zeroCsv));
        assertEquals(EnvelopeKind.OTHER, zero.kind());
    }
}
