package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.envelope.ContentCipher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tus creation-defer-length and Sekisho-Envelope-Sha256: an upload created before the envelope's
 * length and hash are known, streamed in PATCHes (one of them chunked), and declared at the end.
 */
class DeferredLengthTest {

    static final long SMALL_MAX = 1024 * 1024;

    @TempDir
    static Path dir;

    static TransferWorld w;
    static TusClient sender;
    static TusClient receiver;
    static Path envelope;
    static String sha;
    static long size;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-deferred", 1000);
        w.approve("R-small", 1000);
        w.routes("routes:\n" + TransferWorld.route("deferred", "R-deferred", "8MiB")
                + TransferWorld.route("small", "R-small", "1MiB"));
        sender = w.client("city-sender");
        receiver = w.client("contractor");
        envelope = w.seal("deferred.cms", 3_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        sha = TusClient.sha256(envelope);
        size = Files.size(envelope);
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    private static String createDeferred(String route, String declaredSha) throws Exception {
        HttpResponse<String> r = sender.createDeferred(route, TusClient.metadata("deferred.cms", declaredSha, 3));
        assertEquals(201, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    private static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static byte[] bytes(long from, long to) throws Exception {
        try (InputStream in = TusClient.slice(envelope, from, to)) {
            return in.readAllBytes();
        }
    }

    private static void noContent(HttpResponse<String> r, long offset) {
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(
                Long.toString(offset), r.headers().firstValue("Upload-Offset").orElse(null));
    }

    private static void refused(HttpResponse<String> r, int status, String reason) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(reason, Json.parseObject(r.body()).get("reason"), r.body());
    }

    /** TRANSFER_STORED recorded for {@code id}, and its spool file is the test's envelope byte for byte. */
    private static void assertStoredAsTheEnvelope(String id) throws Exception {
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));
        assertArrayEquals(
                Files.readAllBytes(envelope),
                Files.readAllBytes(
                        w.gw.gateway.config().dataDir().resolve("spool").resolve(id + ".cms")));
    }

    private static String length(long n) {
        return Long.toString(n);
    }

    @Test
    void aDeferredUploadInSeveralPatchesIsStoredAndDownloadsByteIdentical() throws Exception {
        HttpResponse<String> options = sender.http.send(
                HttpRequest.newBuilder(URI.create(sender.base + "/api/v1/routes/deferred/uploads"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(
                options.headers().firstValue("Tus-Extension").orElse("").contains("creation-defer-length"),
                options.headers().toString());

        String loc = createDeferred("deferred", null);
        String id = idOf(loc);
        HttpResponse<String> head = sender.head(loc);
        assertEquals(200, head.statusCode());
        assertEquals("1", head.headers().firstValue("Upload-Defer-Length").orElse(null));
        assertFalse(
                head.headers().firstValue("Upload-Length").isPresent(),
                head.headers().toString());
        assertEquals("0", head.headers().firstValue("Upload-Offset").orElse(null));
        assertFalse(head.headers().firstValue("Upload-Metadata").orElseThrow().contains("sha256"));

        noContent(sender.patch(loc, envelope, 0, 1_000_000, false), 1_000_000);
        TusClient.Answer chunked = sender.chunkedPatch(loc, envelope, 1_000_000, 2_000_000);
        assertEquals(204, chunked.status(), chunked.body());
        assertEquals("2000000", chunked.header("Upload-Offset"));
        noContent(sender.patch(loc, envelope, 2_000_000, size, false), size);
        HttpResponse<String> stillUnknown = sender.head(loc);
        assertEquals(
                "1", stillUnknown.headers().firstValue("Upload-Defer-Length").orElse(null));
        assertEquals(
                Long.toString(size),
                stillUnknown.headers().firstValue("Upload-Offset").orElse(null));

        // the client has finished sealing: length and hash (upper-case hex is fine) by an empty PATCH
        HttpResponse<String> last = sender.patch(
                loc,
                size,
                new byte[0],
                "Upload-Length",
                length(size),
                Tus.ENVELOPE_SHA256,
                sha.toUpperCase(Locale.ROOT));
        noContent(last, size);
        assertEquals(id, last.headers().firstValue(Tus.TRANSFER_ID).orElse(null));
        RecordedEvent stored = w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId()));
        assertNotNull(stored);
        assertEquals(sha, stored.event().payloadSha256());
        assertEquals(Long.valueOf(size), stored.event().bytes());

        HttpResponse<String> done = sender.head(loc);
        assertEquals(
                Long.toString(size), done.headers().firstValue("Upload-Length").orElse(null));
        assertFalse(done.headers().firstValue("Upload-Defer-Length").isPresent());
        HttpResponse<String> inbox = receiver.get("/api/v1/routes/deferred/inbox");
        assertTrue(
                inbox.body().contains("\"sha256\":\"" + sha + "\"")
                        && inbox.body().contains("\"size\":" + size),
                inbox.body());
        HttpResponse<InputStream> payload =
                receiver.download("/api/v1/routes/deferred/transfers/" + id + "/payload", null);
        assertEquals(200, payload.statusCode());
        try (InputStream in = payload.body()) {
            assertArrayEquals(Files.readAllBytes(envelope), in.readAllBytes(), "the download is the envelope");
        }
        HttpResponse<String> receipt = sender.get("/api/v1/routes/deferred/transfers/" + id + "/receipt");
        assertTrue(receipt.body().contains("\"size\":" + size + ",\"sha256\":\"" + sha + "\""), receipt.body());
    }

    @Test
    void aWrongLateSha256IsRejected() throws Exception {
        String loc = createDeferred("deferred", null);
        String id = idOf(loc);
        TusClient.Answer all = sender.chunkedPatch(loc, envelope, 0, size);
        assertEquals(204, all.status(), all.body());
        HttpResponse<String> last = sender.patch(
                loc, size, new byte[0], "Upload-Length", length(size), Tus.ENVELOPE_SHA256, "0".repeat(64));
        refused(last, 422, "PAYLOAD_HASH_MISMATCH");
        RecordedEvent rejected = w.gw.awaitEvent(
                EventType.TRANSFER_REJECTED, e -> id.equals(e.event().transferId()));
        assertEquals("PAYLOAD_HASH_MISMATCH", rejected.event().reason());
        assertEquals(List.of(), w.spoolFiles(w.gw.gateway.config().dataDir(), id));
        assertEquals(404, sender.head(loc).statusCode());
    }

    @Test
    void completingWithoutASha256Is400AndStaysResumable() throws Exception {
        String loc = createDeferred("deferred", null);
        String id = idOf(loc);
        // the last bytes and the length in one chunked PATCH, but no hash
        TusClient.Answer noHash = sender.chunkedPatch(loc, envelope, 0, size, "Upload-Length", length(size));
        assertEquals(400, noHash.status(), noHash.body());
        assertEquals("METADATA_INVALID", Json.parseObject(noHash.body()).get("reason"), noHash.body());
        assertEquals(Long.toString(size), noHash.header("Upload-Offset"));
        HttpResponse<String> head = sender.head(loc);
        assertEquals(200, head.statusCode(), "still UPLOADING");
        assertEquals(
                Long.toString(size), head.headers().firstValue("Upload-Offset").orElse(null));
        assertEquals(
                Long.toString(size), head.headers().firstValue("Upload-Length").orElse(null));
        assertEquals(size, w.gw.gateway.transfers().runningCheckCovers(id), "the running digest is kept");

        HttpResponse<String> again = sender.patch(loc, size, new byte[0], Tus.ENVELOPE_SHA256, sha);
        noContent(again, size);
        assertStoredAsTheEnvelope(id);
    }

    /**
     * A sender killed while it sealed and uploaded at once cannot make the same envelope again: it
     * rewinds its upload to byte 0 (Sekisho-Upload-Rewind) and sends a new envelope on the same
     * transfer. Only while nothing is declared; a wrong offset or value is 400, an upload that has
     * declared its length or hash cannot be rewound (409 with its offset).
     */
    @Test
    void anUndeclaredUploadIsRewoundToZeroAndCompletesWithAnotherEnvelopeAsOneTransfer() throws Exception {
        String loc = createDeferred("deferred", null);
        String id = idOf(loc);
        byte[] other = new byte[700_000];
        new java.util.Random(7).nextBytes(other);
        noContent(sender.patch(loc, 0, other), other.length);

        refused(sender.patch(loc, 5, bytes(0, 1000), Tus.REWIND, "1"), 400, "METADATA_INVALID");
        refused(sender.patch(loc, 0, bytes(0, 1000), Tus.REWIND, "yes"), 400, "METADATA_INVALID");
        refused(sender.patch(loc, 0, bytes(0, 1000)), 409, "OFFSET_MISMATCH");
        noContent(sender.patch(loc, other.length, new byte[0]), other.length);

        noContent(sender.patch(loc, 0, bytes(0, 1000), Tus.REWIND, "1"), 1000);
        noContent(sender.patch(loc, 1000, bytes(1000, size)), size);
        noContent(sender.patch(loc, size, new byte[0], "Upload-Length", length(size), Tus.ENVELOPE_SHA256, sha), size);
        assertStoredAsTheEnvelope(id);

        String declared = createDeferred("deferred", sha);
        noContent(sender.patch(declared, 0, bytes(0, 1000)), 1000);
        HttpResponse<String> late = sender.patch(declared, 0, bytes(0, 1000), Tus.REWIND, "1");
        refused(late, 409, "OFFSET_MISMATCH");
        assertEquals(
                "1000",
                late.headers().firstValue("Upload-Offset").orElse(null),
                late.headers().toString());
        noContent(sender.patch(declared, 1000, bytes(1000, size), "Upload-Length", length(size)), size);
    }

    @Test
    void theSha256OfTheMetadataCannotBeChangedByAPatch() throws Exception {
        String loc = createDeferred("deferred", sha);
        HttpResponse<String> head = sender.head(loc);
        assertTrue(head.headers().firstValue("Upload-Metadata").orElseThrow().contains("sha256"));
        refused(sender.patch(loc, 0, bytes(0, 1000), Tus.ENVELOPE_SHA256, "1".repeat(64)), 400, "SHA256_MISMATCH");
        refused(sender.patch(loc, 0, new byte[0], Tus.ENVELOPE_SHA256, "not hex"), 400, "METADATA_INVALID");
        noContent(sender.patch(loc, 0, bytes(0, 1000), Tus.ENVELOPE_SHA256, sha), 1000);
        // the same envelope completes with the hash of the metadata alone
        noContent(sender.patch(loc, 1000, bytes(1000, size), "Upload-Length", length(size)), size);
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> idOf(loc).equals(e.event().transferId())));
    }

    @Test
    void theDeclaredLengthIsCheckedAndFixedOnceSet() throws Exception {
        String loc = createDeferred("deferred", null);
        noContent(sender.patch(loc, 0, bytes(0, 1000)), 1000);
        HttpResponse<String> below = sender.patch(loc, 1000, new byte[0], "Upload-Length", "999");
        refused(below, 400, "UPLOAD_LENGTH_BELOW_OFFSET");
        refused(
                sender.patch(loc, 1000, new byte[0], "Upload-Length", length(9 * 1024 * 1024)),
                413,
                "PAYLOAD_TOO_LARGE");
        refused(sender.patch(loc, 1000, new byte[0], "Upload-Length", "-1"), 400, "METADATA_INVALID");
        assertEquals(
                "1",
                sender.head(loc).headers().firstValue("Upload-Defer-Length").orElse(null),
                "nothing was set");

        noContent(sender.patch(loc, 1000, new byte[0], "Upload-Length", length(size)), 1000);
        HttpResponse<String> head = sender.head(loc);
        assertEquals(
                Long.toString(size), head.headers().firstValue("Upload-Length").orElse(null));
        assertNull(head.headers().firstValue("Upload-Defer-Length").orElse(null));
        refused(sender.patch(loc, 1000, new byte[0], "Upload-Length", length(size + 1)), 400, "UPLOAD_LENGTH_MISMATCH");
        noContent(sender.patch(loc, 1000, bytes(1000, 2000), "Upload-Length", length(size)), 2000);

        // once declared, Upload-Length is the ceiling, not max-payload
        String other = createDeferred("deferred", null);
        refused(sender.patch(other, 0, bytes(0, 2000), "Upload-Length", "1500"), 413, "PAYLOAD_TOO_LARGE");
        HttpResponse<String> kept = sender.head(other);
        assertEquals("1500", kept.headers().firstValue("Upload-Length").orElse(null));
        assertEquals("0", kept.headers().firstValue("Upload-Offset").orElse(null));
    }

    @Test
    void goingPastMaxPayloadWhileDeferredIs413() throws Exception {
        // a body that fits for its first megabyte and then goes past: nothing of it is kept
        String big = createDeferred("small", null);
        refused(sender.patch(big, envelope, 0, java.nio.file.Files.size(envelope), false), 413, "PAYLOAD_TOO_LARGE");
        assertEquals(0, sender.offset(big), "a PATCH refused for its size keeps nothing");

        String loc = createDeferred("small", null);
        noContent(sender.patch(loc, envelope, 0, SMALL_MAX - 100, false), SMALL_MAX - 100);
        refused(sender.patch(loc, SMALL_MAX - 100, bytes(SMALL_MAX - 100, SMALL_MAX + 900)), 413, "PAYLOAD_TOO_LARGE");
        assertEquals(SMALL_MAX - 100, sender.offset(loc), "the upload stays at its last durable offset");
        assertEquals(
                "1",
                sender.head(loc).headers().firstValue("Upload-Defer-Length").orElse(null));
        // up to max-payload exactly is fine
        noContent(sender.patch(loc, SMALL_MAX - 100, bytes(SMALL_MAX - 100, SMALL_MAX)), SMALL_MAX);
    }

    @Test
    void creationTakesExactlyOneOfUploadLengthAndUploadDeferLength() throws Exception {
        String uploads = sender.base + "/api/v1/routes/deferred/uploads";
        String md = TusClient.metadata("x.cms", null, 1);
        for (String[] headers : List.of(
                new String[] {"Upload-Length", "10", "Upload-Defer-Length", "1"},
                new String[] {"Upload-Defer-Length", "2"},
                new String[] {"Upload-Metadata-Only", "x"},
                new String[] {"Upload-Length", "10"})) {
            HttpResponse<String> r = sender.http.send(
                    HttpRequest.newBuilder(URI.create(uploads))
                            .header("Tus-Resumable", "1.0.0")
                            .header("Upload-Metadata", md)
                            .headers(headers)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // the last: a known length still needs sha256 in the metadata
            refused(r, 400, "METADATA_INVALID");
        }
        refused(
                sender.createDeferred("deferred", TusClient.metadata("x.cms", null, 1001)),
                403,
                "RECORDS_OVER_APPROVAL");
    }

    @Test
    void anAbandonedDeferredUploadExpires() throws Exception {
        String loc = createDeferred("deferred", null);
        String id = idOf(loc);
        noContent(sender.patch(loc, 0, bytes(0, 1000)), 1000);
        try (var c = w.pg.superuser();
                var ps = c.prepareStatement(
                        "UPDATE transfer SET expires_at = now() - interval '1 second' WHERE id = ?")) {
            ps.setString(1, id);
            assertEquals(1, ps.executeUpdate());
        }
        assertTrue(w.gw.gateway.transfers().sweep() >= 1);
        assertEquals(
                "UPLOAD_EXPIRED",
                w.gw.awaitEvent(
                                EventType.TRANSFER_EXPIRED,
                                e -> id.equals(e.event().transferId()))
                        .event()
                        .reason());
        assertEquals(404, sender.head(loc).statusCode());
    }
}
