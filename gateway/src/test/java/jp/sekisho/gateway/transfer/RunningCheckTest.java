package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.support.GatewayFixture;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AuthEnvelopedData;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.EncryptedContentInfo;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The envelope's SHA-256 and scan taken while PATCHes are written and kept between them: they stay
 * exactly in step with the spool file through discarded and interrupted chunks, the stored hash is
 * right, and the last PATCH checks the envelope without reading the spool file again, for the
 * Sealer's envelopes and openssl's alike. Envelopes the scan leaves to the inspector are read again
 * and judged by it. (After a restart there is no running check and the file is read again: see
 * LargeUploadCrashTest.)
 */
class RunningCheckTest {

    @TempDir
    static Path dir;

    static TransferWorld w;
    static TusClient sender;
    static Path envelope;
    static String sha;
    static long size;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-digest", 1000);
        w.routes("routes:\n" + TransferWorld.route("digest", "R-digest", "8MiB"));
        sender = w.client("city-sender");
        envelope = w.seal("digest.cms", 3_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        sha = TusClient.sha256(envelope);
        size = Files.size(envelope);
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    private static String create(String declaredSha) throws Exception {
        HttpResponse<String> r = sender.create("digest", size, TusClient.metadata("digest.cms", declaredSha, 1));
        assertEquals(201, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    private static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static long covered(String id) {
        return w.gw.gateway.transfers().runningCheckCovers(id);
    }

    private static void patched(String loc, long from, long to, boolean checksum) throws Exception {
        HttpResponse<String> r = sender.patch(loc, envelope, from, to, checksum);
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(Long.toString(to), r.headers().firstValue("Upload-Offset").orElse(null));
        assertEquals(to, covered(idOf(loc)), "the running digest covers what is durable");
    }

    private static long spoolReads() {
        return w.gw.gateway.transfers().spoolReads();
    }

    /** Stored, with the right hash, and checked without reading the spool file again. */
    private static void stored(String loc, long spoolReadsBefore) throws Exception {
        stored(loc);
        assertEquals(spoolReadsBefore, spoolReads(), "the last PATCH read the spool file again");
    }

    private static void stored(String loc) throws Exception {
        String id = idOf(loc);
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));
        assertEquals(
                sha,
                TusClient.sha256(
                        w.gw.gateway.config().dataDir().resolve("spool").resolve(id + ".cms")));
        assertEquals(sha, w.gw.gateway.transfers().find(id).orElseThrow().sha256());
        assertEquals(-1, covered(id), "nothing kept once the transfer is stored");
    }

    @Test
    void aMultiPatchUploadIsStoredWithTheRunningCheck() throws Exception {
        long reads = spoolReads();
        String loc = create(sha);
        patched(loc, 0, 1_000_000, false);
        patched(loc, 1_000_000, 2_000_000, true);
        HttpResponse<String> last = sender.patch(loc, envelope, 2_000_000, size, false);
        assertEquals(204, last.statusCode(), last.body());
        assertEquals(idOf(loc), last.headers().firstValue("Sekisho-Transfer-Id").orElse(null));
        stored(loc, reads);
    }

    @Test
    void aChunkDiscardedForItsChecksumAndSentAgainKeepsTheCheckInStep() throws Exception {
        long reads = spoolReads();
        String loc = create(sha);
        patched(loc, 0, 1_000_000, true);
        byte[] chunk = new byte[1_000_000];
        try (var in = TusClient.slice(envelope, 1_000_000, 2_000_000)) {
            assertEquals(chunk.length, in.readNBytes(chunk, 0, chunk.length));
        }
        String wrong = "sha256 " + Base64.getEncoder().encodeToString(new byte[32]);
        HttpResponse<String> bad = sender.patchBytes(loc, 1_000_000, chunk, wrong);
        assertEquals(460, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("CHECKSUM_MISMATCH"), bad.body());
        assertEquals(1_000_000, sender.offset(loc));
        assertEquals(1_000_000, covered(idOf(loc)), "back to the digest before the discarded chunk");
        patched(loc, 1_000_000, 2_000_000, true);
        assertEquals(204, sender.patch(loc, envelope, 2_000_000, size, true).statusCode());
        stored(loc, reads);
    }

    @Test
    void anInterruptedPatchKeepsACheckOfWhatArrivedAndTheUploadResumes() throws Exception {
        long reads = spoolReads();
        String loc = create(sha);
        patched(loc, 0, 1_000_000, false);
        sender.brokenPatch(w.gw.gateway.port("transfer"), loc, envelope, 1_000_000, 2_000_000, 500_000);
        long resumed = 0;
        for (int i = 0; i < 50 && resumed <= 1_000_000; i++) {
            resumed = sender.offset(loc);
            Thread.sleep(100);
        }
        assertTrue(resumed > 1_000_000 && resumed <= 1_500_000, "offset after the broken PATCH: " + resumed);
        assertEquals(resumed, covered(idOf(loc)));
        assertEquals(204, sender.patch(loc, envelope, resumed, size, false).statusCode());
        stored(loc, reads);
    }

    @Test
    void aWrongDeclaredHashIsStillRejectedAfterSeveralPatches() throws Exception {
        String declared = "0".repeat(64);
        String loc = create(declared);
        patched(loc, 0, 1_500_000, false);
        HttpResponse<String> last = sender.patch(loc, envelope, 1_500_000, size, false);
        assertEquals(422, last.statusCode(), last.body());
        assertTrue(last.body().contains("PAYLOAD_HASH_MISMATCH"), last.body());
        assertTrue(last.body().contains(sha), "the answer names the actual SHA-256: " + last.body());
        String id = idOf(loc);
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_REJECTED,
                e -> id.equals(e.event().transferId())
                        && "PAYLOAD_HASH_MISMATCH".equals(e.event().reason())));
        assertEquals(-1, covered(id));
    }

    @Test
    void anEnvelopeInDefiniteLengthsIsStoredWithoutASecondRead() throws Exception {
        Path plain = dir.resolve("definite.csv");
        Files.write(plain, new byte[300_000]);
        Path der = dir.resolve("definite.cms");
        Procs.Result r = Procs.run(
                60,
                "openssl",
                "cms",
                "-encrypt",
                "-binary",
                "-aes-256-gcm",
                "-outform",
                "DER",
                "-in",
                plain.toString(),
                "-out",
                der.toString(),
                "-recip",
                w.pki.dir().resolve("contractor-enc.pem").toString());
        assertTrue(r.ok(), r.out());
        long reads = spoolReads();
        stored(upload(der), der);
        assertEquals(reads, spoolReads(), "openssl's DER envelope is checked as it arrives too");
    }

    @Test
    void anEnvelopeWithoutItsTagIsRefusedAsBefore() throws Exception {
        // the sealed envelope ends with the GCM tag (OCTET STRING, 16 bytes) and three end-of-contents
        byte[] sealed = Files.readAllBytes(envelope);
        int tag = sealed.length - 6 - 18;
        assertEquals(0x04, sealed[tag]);
        assertEquals(16, sealed[tag + 1]);
        byte[] untagged = new byte[sealed.length - 18];
        System.arraycopy(sealed, 0, untagged, 0, tag);
        System.arraycopy(sealed, tag + 18, untagged, tag, 6);
        Path cut = dir.resolve("untagged.cms");
        Files.write(cut, untagged);
        long reads = spoolReads();
        HttpResponse<String> last = sendWhole(cut);
        assertEquals(422, last.statusCode(), last.body());
        assertTrue(
                last.body().contains("PAYLOAD_NOT_ENCRYPTED") && last.body().contains("malformed after the header"),
                last.body());
        assertEquals(reads + 1, spoolReads(), "the refusal is the inspector's, from the spool file");
    }

    @Test
    void bytesAfterTheEnvelopeAreReadAgainAndRefused() throws Exception {
        byte[] sealed = Files.readAllBytes(envelope);
        byte[] tail = "DUMMY plaintext riding along\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] plus = java.util.Arrays.copyOf(sealed, sealed.length + tail.length);
        System.arraycopy(tail, 0, plus, sealed.length, tail.length);
        Path appended = dir.resolve("appended.cms");
        Files.write(appended, plus);
        long reads = spoolReads();
        HttpResponse<String> last = sendWhole(appended);
        assertEquals(422, last.statusCode(), last.body());
        assertTrue(last.body().contains("PAYLOAD_NOT_ENCRYPTED") && last.body().contains("after the end"), last.body());
        assertEquals(reads + 1, spoolReads(), "the scan leaves it to the inspector, which reads the file");
    }

    /**
     * Issue 12: a valid AES-256-GCM envelope with a CSV in clear as an unauthenticated attribute,
     * and one whose GCM ICV is 8 bytes, were STORED. Both are refused as PAYLOAD_MALFORMED, with
     * one refusing audit event and nothing left in the spool.
     */
    @Test
    void envelopesOutsideTheProfileAreRefusedAsMalformed() throws Exception {
        Path sealed = w.seal("profile.cms", 200_000, "contractor-enc", ContentCipher.AES_256_GCM);
        AuthEnvelopedData a = AuthEnvelopedData.getInstance(
                ContentInfo.getInstance(ASN1Primitive.fromByteArray(Files.readAllBytes(sealed)))
                        .getContent());
        byte[] csv = "住民番号,氏名,住所,口座番号\n00000001,山田 太郎,福岡県久留米市城南町15-3,1234567\n"
                .repeat(1_000)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ASN1Set attrs = new DERSet(new Attribute(CMSObjectIdentifiers.data, new DERSet(new DEROctetString(csv))));
        Path smuggling = dir.resolve("smuggling.cms");
        Files.write(
                smuggling,
                new ContentInfo(
                                CMSObjectIdentifiers.authEnvelopedData,
                                new AuthEnvelopedData(
                                        null,
                                        a.getRecipientInfos(),
                                        a.getAuthEncryptedContentInfo(),
                                        (ASN1Set) null,
                                        a.getMac(),
                                        attrs))
                        .getEncoded(ASN1Encoding.DER));
        malformed(smuggling, "unauthAttrs");

        EncryptedContentInfo eci = a.getAuthEncryptedContentInfo();
        byte[] nonce = GCMParameters.getInstance(
                        eci.getContentEncryptionAlgorithm().getParameters())
                .getNonce();
        AlgorithmIdentifier icv8 = new AlgorithmIdentifier(
                eci.getContentEncryptionAlgorithm().getAlgorithm(),
                new DERSequence(new ASN1Encodable[] {new DEROctetString(nonce), new ASN1Integer(8)}));
        Path shortTag = dir.resolve("icv8.cms");
        Files.write(
                shortTag,
                new ContentInfo(
                                CMSObjectIdentifiers.authEnvelopedData,
                                new AuthEnvelopedData(
                                        null,
                                        a.getRecipientInfos(),
                                        new EncryptedContentInfo(eci.getContentType(), icv8, eci.getEncryptedContent()),
                                        (ASN1Set) null,
                                        new DEROctetString(java.util.Arrays.copyOf(
                                                a.getMac().getOctets(), 8)),
                                        null))
                        .getEncoded(ASN1Encoding.DER));
        malformed(shortTag, "ICV length of 8");
    }

    private static void malformed(Path file, String why) throws Exception {
        HttpResponse<String> last = sendWhole(file);
        assertEquals(422, last.statusCode(), last.body());
        assertTrue(last.body().contains("\"reason\":\"PAYLOAD_MALFORMED\""), last.body());
        assertTrue(last.body().contains(why), last.body());
        String id = w.gw.awaitEvent(
                        EventType.TRANSFER_REJECTED,
                        e -> "PAYLOAD_MALFORMED".equals(e.event().reason())
                                && e.event().detailJson().contains(why))
                .event()
                .transferId();
        w.gw.store.postgresLog().flush(java.time.Duration.ofSeconds(5));
        List<RecordedEvent> refusals =
                w.gw.store.reader().search(AuditQuery.all().limit(100_000), GatewayFixture.TEST_READER).stream()
                        .filter(e ->
                                id.equals(e.event().transferId()) && e.event().outcome() != Outcome.ALLOW)
                        .toList();
        assertEquals(1, refusals.size(), "exactly one refusing event: " + refusals);
        assertEquals(List.of(), w.spoolFiles(w.gw.gateway.config().dataDir(), id), "nothing left in the spool");
    }

    /** Creates an upload of {@code file} with its true SHA-256 and sends it in one PATCH; its answer. */
    private static HttpResponse<String> sendWhole(Path file) throws Exception {
        long n = Files.size(file);
        HttpResponse<String> r = sender.create(
                "digest", n, TusClient.metadata(file.getFileName().toString(), TusClient.sha256(file), 1));
        assertEquals(201, r.statusCode(), r.body());
        return sender.patch(r.headers().firstValue("Location").orElseThrow(), file, 0, n, false);
    }

    /** As {@link #sendWhole}, stored: the transfer id. */
    private static String upload(Path file) throws Exception {
        HttpResponse<String> p = sendWhole(file);
        assertEquals(204, p.statusCode(), p.body());
        return p.headers().firstValue("Sekisho-Transfer-Id").orElseThrow();
    }

    private static void stored(String id, Path file) throws Exception {
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));
        assertEquals(
                TusClient.sha256(file),
                w.gw.gateway.transfers().find(id).orElseThrow().sha256());
    }
}
