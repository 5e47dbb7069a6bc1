package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import jp.sekisho.audit.EventType;
import jp.sekisho.envelope.ContentCipher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The envelope's SHA-256 taken while PATCHes are written and kept between them: it stays exactly in
 * step with the spool file through discarded and interrupted chunks, and the stored hash is right.
 * (After a restart there is none and the file is hashed again: see LargeUploadCrashTest.)
 */
class RunningDigestTest {

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
        return w.gw.gateway.transfers().runningDigestCovers(id);
    }

    private static void patched(String loc, long from, long to, boolean checksum) throws Exception {
        HttpResponse<String> r = sender.patch(loc, envelope, from, to, checksum);
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(Long.toString(to), r.headers().firstValue("Upload-Offset").orElse(null));
        assertEquals(to, covered(idOf(loc)), "the running digest covers what is durable");
    }

    private static void stored(String loc) throws Exception {
        String id = idOf(loc);
        assertNotNull(w.gw.awaitEvent(EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));
        assertEquals(sha, TusClient.sha256(w.gw.gateway.config().dataDir().resolve("spool").resolve(id + ".cms")));
        assertEquals(sha, w.gw.gateway.transfers().find(id).orElseThrow().sha256());
        assertEquals(-1, covered(id), "nothing kept once the transfer is stored");
    }

    @Test
    void aMultiPatchUploadIsStoredWithTheRunningDigest() throws Exception {
        String loc = create(sha);
        patched(loc, 0, 1_000_000, false);
        patched(loc, 1_000_000, 2_000_000, true);
        HttpResponse<String> last = sender.patch(loc, envelope, 2_000_000, size, false);
        assertEquals(204, last.statusCode(), last.body());
        assertEquals(idOf(loc), last.headers().firstValue("Sekisho-Transfer-Id").orElse(null));
        stored(loc);
    }

    @Test
    void aChunkDiscardedForItsChecksumAndSentAgainKeepsTheDigestInStep() throws Exception {
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
        stored(loc);
    }

    @Test
    void anInterruptedPatchKeepsADigestOfWhatArrivedAndTheUploadResumes() throws Exception {
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
        stored(loc);
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
        assertNotNull(w.gw.awaitEvent(EventType.TRANSFER_REJECTED,
                e -> id.equals(e.event().transferId()) && "PAYLOAD_HASH_MISMATCH".equals(e.event().reason())));
        assertEquals(-1, covered(id));
    }
}
