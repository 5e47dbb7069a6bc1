package jp.sekisho.envelope;

import static jp.sekisho.envelope.Fixtures.openssl;
import static jp.sekisho.envelope.Fixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seal/open against the real openssl binary, both directions, and the failure reasons. */
class SealOpenInteropTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestPki foreign;
    static Credential sender;
    static Credential contractor;
    static Credential contractorEc;
    static Credential other;
    static Credential stranger;
    static Path random;
    static Path csv;

    @BeforeAll
    static void setUp() throws IOException {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        foreign = TestPki.create(Files.createDirectories(dir.resolve("foreign")));
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
        other = pki.recipient("other-contractor");
        stranger = foreign.client("stranger");
        random = Fixtures.randomFile(dir, "random.bin", 5 * 1024 * 1024 + 123, 42);
        csv = Fixtures.residentsCsv(dir, 20_000);
    }

    static Identity senderIdentity() {
        return Identities.load(sender.certificateFile(), null);
    }

    static Path seal(Path plain, String name, Identity signer, ContentCipher cipher, Credential... to)
            throws IOException {
        Path env = dir.resolve(name);
        try (InputStream in = Files.newInputStream(plain);
                OutputStream out = Files.newOutputStream(env)) {
            SealResult r = Sealer.seal(
                    in, out, signer, Stream.of(to).map(Credential::certificate).toList(), cipher);
            assertEquals(Files.size(plain), r.plaintextBytes());
            assertEquals(Files.size(env), r.envelopeBytes());
            assertEquals(sha256(env), r.envelopeSha256());
        }
        return env;
    }

    /** openssl cms -decrypt, then -verify against the CA: returns the recovered file. */
    static Path opensslOpen(Path env, Credential recipient, String name) {
        Path signedDer = dir.resolve(name + ".signed.der");
        Path plain = dir.resolve(name + ".openssl.out");
        Procs.Result d = openssl(
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                env.toString(),
                "-recip",
                recipient.certificateFile().toString(),
                "-inkey",
                recipient.keyFile().toString(),
                "-out",
                signedDer.toString());
        assertTrue(d.ok(), d.out());
        Procs.Result v = openssl(
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                signedDer.toString(),
                "-CAfile",
                pki.caFile().toString(),
                "-out",
                plain.toString());
        assertTrue(v.ok() && v.out().contains("Verification successful"), v.out());
        return plain;
    }

    @Test
    void gcmForRsaRecipientIsReadByOpenssl() throws IOException {
        Path env = seal(random, "gcm-rsa.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        assertEquals(sha256(random), sha256(opensslOpen(env, contractor, "gcm-rsa")));
        Procs.Result print = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", env.toString());
        assertTrue(print.out().contains("aes-256-gcm") && print.out().contains("rsaesOaep"), print.out());
    }

    @Test
    void japaneseCsvRoundTripsThroughOpensslAndOpener() throws IOException {
        Path env = seal(csv, "csv.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        assertArrayEquals(Files.readAllBytes(csv), Files.readAllBytes(opensslOpen(env, contractor, "csv")));
        Path out = dir.resolve("csv.opened");
        OpenResult r = Opener.open(
                env, out, contractor.privateKey(), contractor.certificate(), TrustAnchors.fromPem(pki.caFile()));
        assertArrayEquals(Files.readAllBytes(csv), Files.readAllBytes(out));
        assertEquals(sha256(csv), r.plaintextSha256());
        assertEquals(
                CertificateSummary.sha256(sender.certificate()),
                r.signerSummary().sha256());
    }

    @Test
    void gcmForEcRecipientIsReadByOpensslAndOpener() throws IOException {
        Path env = seal(random, "gcm-ec.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractorEc);
        assertEquals(sha256(random), sha256(opensslOpen(env, contractorEc, "gcm-ec")));
        Path out = dir.resolve("gcm-ec.opened");
        OpenResult r = Opener.open(env, out, contractorEc.privateKey(), null, TrustAnchors.fromPem(pki.caFile()));
        assertEquals(sha256(random), sha256(out));
        assertEquals(sha256(random), r.plaintextSha256());
        assertEquals(ContentCipher.AES_256_GCM, r.cipher());
    }

    @Test
    void cbcIsReadByOpensslAndOpener() throws IOException {
        Path env = seal(
                random,
                "cbc.cms",
                Identities.load(sender.pkcs12File(), new char[0]),
                ContentCipher.AES_256_CBC,
                contractor,
                contractorEc);
        assertEquals(sha256(random), sha256(opensslOpen(env, contractor, "cbc-rsa")));
        assertEquals(sha256(random), sha256(opensslOpen(env, contractorEc, "cbc-ec")));
        Path out = dir.resolve("cbc.opened");
        OpenResult r = Opener.open(
                env, out, contractorEc.privateKey(), contractorEc.certificate(), TrustAnchors.fromPem(pki.caFile()));
        assertEquals(sha256(random), sha256(out));
        assertEquals(ContentCipher.AES_256_CBC, r.cipher());
    }

    @Test
    void opensslSignThenEncryptIsOpenedAndAccepted() {
        Path signed = dir.resolve("ossl.signed.der");
        Procs.Result s = openssl(
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-outform",
                "DER",
                "-in",
                random.toString(),
                "-out",
                signed.toString(),
                "-signer",
                sender.certificateFile().toString(),
                "-inkey",
                sender.keyFile().toString(),
                "-md",
                "sha256");
        assertTrue(s.ok(), s.out());
        Path env = dir.resolve("ossl.cms");
        Procs.Result e = openssl(
                "cms",
                "-encrypt",
                "-binary",
                "-stream",
                "-aes-256-gcm",
                "-outform",
                "DER",
                "-in",
                signed.toString(),
                "-out",
                env.toString(),
                "-recip",
                contractor.certificateFile().toString(),
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha256",
                "-keyopt",
                "rsa_mgf1_md:sha256");
        assertTrue(e.ok(), e.out());

        Path out = dir.resolve("ossl.opened");
        OpenResult r = Opener.open(env, out, contractor.privateKey(), null, TrustAnchors.fromPem(pki.caFile()));
        assertEquals(sha256(random), sha256(out));
        assertEquals(sender.certificate(), r.signer());

        PayloadDecision d =
                EnvelopeInspector.check(EnvelopeInspector.inspect(env), List.of(contractor.certificate()), false);
        assertTrue(d.accepted(), d.toString());
    }

    @Test
    void opensslEcEnvelopeIsOpened() {
        Path signed = dir.resolve("ossl-ec.signed.der");
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
        Path env = dir.resolve("ossl-ec.cms");
        Procs.Result e = openssl(
                "cms",
                "-encrypt",
                "-binary",
                "-stream",
                "-aes-256-gcm",
                "-outform",
                "DER",
                "-in",
                signed.toString(),
                "-out",
                env.toString(),
                "-recip",
                contractorEc.certificateFile().toString(),
                "-keyopt",
                "ecdh_kdf_md:sha256");
        assertTrue(e.ok(), e.out());
        Path out = dir.resolve("ossl-ec.opened");
        Opener.open(
                env, out, contractorEc.privateKey(), contractorEc.certificate(), TrustAnchors.fromPem(pki.caFile()));
        assertEquals(sha256(csv), sha256(out));
    }

    @Test
    void tamperedCiphertextIsTagMismatchAndLeavesNoFile() throws IOException {
        Path env = seal(random, "tamper.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        byte[] bytes = Files.readAllBytes(env);
        bytes[bytes.length / 2] ^= 0x01; // inside the encrypted content
        Path bad = dir.resolve("tampered.cms");
        Files.write(bad, bytes);
        Path outDir = Files.createDirectories(dir.resolve("tamper-out"));
        Path out = outDir.resolve("plain");
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        bad,
                        out,
                        contractor.privateKey(),
                        contractor.certificate(),
                        TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.TAG_MISMATCH, ex.reason(), ex.getMessage());
        try (Stream<Path> left = Files.list(outDir)) {
            assertEquals(List.of(), left.toList(), "no output or temporary file may remain");
        }
    }

    @Test
    void bytesAfterTheEnvelopeAreRefusedAndLeaveNoFile() throws IOException {
        Path env = seal(csv, "appended.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        byte[] sealed = Files.readAllBytes(env);
        byte[] tail = "DUMMY 山田 太郎 riding along\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(sealed, sealed.length + tail.length);
        System.arraycopy(tail, 0, bytes, sealed.length, tail.length);
        for (byte[] bad : new byte[][] {bytes, java.util.Arrays.copyOf(sealed, sealed.length - 2)}) {
            Path file = dir.resolve("not-whole.cms");
            Files.write(file, bad);
            Path outDir = Files.createDirectories(dir.resolve("not-whole-out"));
            Path out = outDir.resolve("plain");
            EnvelopeException ex = assertThrows(
                    EnvelopeException.class,
                    () -> Opener.open(
                            file,
                            out,
                            contractor.privateKey(),
                            contractor.certificate(),
                            TrustAnchors.fromPem(pki.caFile())));
            assertEquals(EnvelopeException.Reason.NOT_CMS, ex.reason(), ex.getMessage());
            try (Stream<Path> left = Files.list(outDir)) {
                assertEquals(List.of(), left.toList(), "no output or temporary file may remain");
            }
        }
    }

    @Test
    void alteredTagIsTagMismatch() throws IOException {
        Path env = seal(csv, "tag.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        byte[] bytes = Files.readAllBytes(env);
        // indefinite-length BER ends with: mac OCTET STRING (04 10 + 16 bytes), then three end-of-contents
        int tagStart = bytes.length - 6 - 16;
        assertEquals(List.of(0x04, 0x10), List.of(bytes[tagStart - 2] & 0xff, bytes[tagStart - 1] & 0xff));
        bytes[tagStart + 5] ^= 0x40;
        Path bad = dir.resolve("tag-bad.cms");
        Files.write(bad, bytes);
        Path out = dir.resolve("tag-bad.out");
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(bad, out, contractor.privateKey(), null, TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.TAG_MISMATCH, ex.reason(), ex.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void wrongRecipientKeyIsNotForThisRecipient() throws IOException {
        Path env = seal(csv, "wrong.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        Path out = dir.resolve("wrong.out");
        EnvelopeException withCert = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        env, out, other.privateKey(), other.certificate(), TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.NOT_FOR_THIS_RECIPIENT, withCert.reason());
        EnvelopeException keyOnly = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(env, out, other.privateKey(), null, TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.NOT_FOR_THIS_RECIPIENT, keyOnly.reason());
        EnvelopeException ecKey = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(env, out, contractorEc.privateKey(), null, TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.NOT_FOR_THIS_RECIPIENT, ecKey.reason());
        assertFalse(Files.exists(out));
    }

    @Test
    void signerFromAnotherCaIsUntrusted() throws IOException {
        Path env = seal(
                csv,
                "stranger.cms",
                Identities.load(stranger.certificateFile(), null),
                ContentCipher.AES_256_GCM,
                contractor);
        Path out = dir.resolve("stranger.out");
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        env,
                        out,
                        contractor.privateKey(),
                        contractor.certificate(),
                        TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.SIGNER_UNTRUSTED, ex.reason(), ex.getMessage());
        assertFalse(Files.exists(out));
        // the same envelope opens for a receiver that trusts the foreign CA
        Opener.open(
                env, out, contractor.privateKey(), contractor.certificate(), TrustAnchors.fromPem(foreign.caFile()));
        assertEquals(sha256(csv), sha256(out));
    }

    @Test
    void signedOnlyOrPlainFileIsNotCmsForTheOpener() throws IOException {
        Path out = dir.resolve("plain.out");
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(csv, out, contractor.privateKey(), null, TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.NOT_CMS, ex.reason());
    }

    @Test
    void weakCipherIsRefusedByTheOpener() {
        Path env = dir.resolve("aes128.cms");
        assertTrue(openssl(
                        "cms",
                        "-encrypt",
                        "-binary",
                        "-aes128",
                        "-outform",
                        "DER",
                        "-in",
                        csv.toString(),
                        "-out",
                        env.toString(),
                        contractor.certificateFile().toString())
                .ok());
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        env,
                        dir.resolve("aes128.out"),
                        contractor.privateKey(),
                        null,
                        TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.WEAK_CIPHER, ex.reason());
    }

    @Test
    void emptyFileRoundTrips() throws IOException {
        Path empty = Files.write(dir.resolve("empty.csv"), new byte[0]);
        Path env = seal(empty, "empty.cms", senderIdentity(), ContentCipher.AES_256_GCM, contractor);
        assertEquals(0, Files.size(opensslOpen(env, contractor, "empty")));
        Path out = dir.resolve("empty.out");
        OpenResult r = Opener.open(
                env, out, Identities.load(contractor.certificateFile(), null), TrustAnchors.fromPem(pki.caFile()));
        assertEquals(0, r.bytes());
        assertEquals(0, Files.size(out));
    }

    @Test
    void signerWithoutDigitalSignatureUsageIsUntrusted() throws IOException {
        // a recipient (keyEncipherment-only) certificate used as a signing identity
        Path env = seal(
                csv, "ku.cms", Identities.load(other.certificateFile(), null), ContentCipher.AES_256_GCM, contractor);
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        env,
                        dir.resolve("ku.out"),
                        contractor.privateKey(),
                        contractor.certificate(),
                        TrustAnchors.fromPem(pki.caFile())));
        assertEquals(EnvelopeException.Reason.SIGNER_UNTRUSTED, ex.reason(), ex.getMessage());
        assertTrue(ex.getMessage().contains("digitalSignature"), ex.getMessage());
    }

    @Test
    void revokedSignerIsUntrustedWhenCrlsAreGiven() throws IOException {
        Credential leaver = pki.client("leaver");
        Path env = seal(
                csv, "leaver.cms", Identities.load(leaver.pkcs12File(), null), ContentCipher.AES_256_GCM, contractor);
        TrustAnchors anchors = TrustAnchors.fromPem(pki.caFile());
        Opener.open(
                env,
                dir.resolve("leaver.out"),
                contractor.privateKey(),
                null,
                anchors.withCrls(List.of(jp.sekisho.certs.Pem.readCrl(pki.crlFile()))));
        pki.revoke("leaver");
        EnvelopeException ex = assertThrows(
                EnvelopeException.class,
                () -> Opener.open(
                        env,
                        dir.resolve("leaver2.out"),
                        contractor.privateKey(),
                        null,
                        anchors.withCrls(List.of(jp.sekisho.certs.Pem.readCrl(pki.crlFile())))));
        assertEquals(EnvelopeException.Reason.SIGNER_UNTRUSTED, ex.reason(), ex.getMessage());
        assertFalse(Files.exists(dir.resolve("leaver2.out")));
    }
}
