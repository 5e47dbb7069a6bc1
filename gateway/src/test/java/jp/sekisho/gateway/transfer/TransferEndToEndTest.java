package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tus.java.client.TusClient;
import io.tus.java.client.TusExecutor;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.approval.Decision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transfer protocol end to end: real gateway, real mutual TLS, real PostgreSQL, real envelopes. */
class TransferEndToEndTest {

    @TempDir
    static Path dir;

    static TransferWorld w;
    static jp.sekisho.gateway.transfer.TusClient sender;
    static jp.sekisho.gateway.transfer.TusClient receiver;
    static Path envelope;
    static String envelopeSha;
    static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-benefit", 1000);
        w.approve("R-suspend", 1000);
        w.routes("routes:\n" + TransferWorld.route("benefit", "R-benefit", "8MiB")
                + TransferWorld.route("suspendable", "R-suspend", null));
        sender = w.client("city-sender");
        receiver = w.client("contractor");
        envelope = w.seal("residents.csv.cms", 3_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        envelopeSha = jp.sekisho.gateway.transfer.TusClient.sha256(envelope);
        dataDir = w.gw.gateway.config().dataDir();
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    private static String create(String route, Path file, String sha, long records) throws Exception {
        HttpResponse<String> r = sender.create(
                route,
                Files.size(file),
                jp.sekisho.gateway.transfer.TusClient.metadata(
                        file.getFileName().toString(), sha, records));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("1.0.0", r.headers().firstValue("Tus-Resumable").orElse(null));
        assertTrue(r.headers().firstValue("Upload-Expires").orElseThrow().endsWith(" GMT"));
        return r.headers().firstValue("Location").orElseThrow();
    }

    private static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static RecordedEvent event(EventType type, String id) throws InterruptedException {
        return w.gw.awaitEvent(type, e -> id.equals(e.event().transferId()));
    }

    @Test
    void anInterruptedUploadResumesIsStoredDeliveredInTwoRangesAndPurgedOnAck() throws Exception {
        String loc = create("benefit", envelope, envelopeSha, 305);
        String id = idOf(loc);
        assertTrue(id.matches("[A-Za-z0-9_-]{24}"), id);
        assertEquals(0, sender.offset(loc));
        long size = Files.size(envelope);

        // first chunk with a tus checksum
        HttpResponse<String> first = sender.patch(loc, envelope, 0, 1_000_000, true);
        assertEquals(204, first.statusCode(), first.body());
        assertEquals("1000000", first.headers().firstValue("Upload-Offset").orElse(null));

        // a PATCH that breaks off after 500 kB of the 2 MB it announced: what arrived is kept
        sender.brokenPatch(w.gw.gateway.port("transfer"), loc, envelope, 1_000_000, 2_000_000, 500_000);
        // brokenPatch returns once the gateway closed the connection, having read all 500 kB
        long resumed = await("the broken PATCH's bytes counted")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> sender.offset(loc), o -> o > 1_000_000);
        assertEquals(1_500_000, resumed, "offset after the broken PATCH: all that arrived is kept");

        // a PATCH from the wrong offset is refused with the server's offset
        HttpResponse<String> wrong = sender.patch(loc, envelope, 0, 10, false);
        assertEquals(409, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("OFFSET_MISMATCH"), wrong.body());
        assertEquals(
                Long.toString(resumed),
                wrong.headers().firstValue("Upload-Offset").orElse(null));

        HttpResponse<String> last = sender.patch(loc, envelope, resumed, size, false);
        assertEquals(204, last.statusCode(), last.body());
        assertEquals(id, last.headers().firstValue("Sekisho-Transfer-Id").orElse(null));
        assertEquals(
                Long.toString(size), last.headers().firstValue("Upload-Offset").orElse(null));
        RecordedEvent stored = event(EventType.TRANSFER_STORED, id);
        assertNotNull(stored);
        assertEquals(envelopeSha, stored.event().payloadSha256());
        assertEquals("R-benefit", stored.event().approvalRef());
        Path cms = dataDir.resolve("spool").resolve(id + ".cms");
        assertArrayEquals(Files.readAllBytes(envelope), Files.readAllBytes(cms), "spooled copy is byte-identical");

        // the receipt, signed with the audit signing key
        HttpResponse<String> receipt = sender.get("/api/v1/routes/benefit/transfers/" + id + "/receipt");
        assertEquals(200, receipt.statusCode(), receipt.body());
        assertTrue(
                receipt.body()
                        .startsWith(
                                "{\"transferId\":\"" + id + "\",\"route\":\"benefit\",\"approvalRef\":\"R-benefit\""),
                receipt.body());
        assertTrue(ReceiptSigner.verifyReceipt(w.gw.store.signingKey().publicKey(), receipt.body()), receipt.body());
        assertTrue(
                !ReceiptSigner.verifyReceipt(
                        w.gw.store.signingKey().publicKey(),
                        receipt.body().replace("\"records\":305", "\"records\":306")),
                "a changed receipt does not verify");

        // the receiver's inbox
        HttpResponse<String> inbox = receiver.get("/api/v1/routes/benefit/inbox");
        assertEquals(200, inbox.statusCode(), inbox.body());
        assertTrue(inbox.body().contains("\"transferId\":\"" + id + "\""), inbox.body());
        assertTrue(inbox.body().contains("\"sha256\":\"" + envelopeSha + "\""), inbox.body());
        // another receiver principal is not a receiver of this route
        HttpResponse<String> stranger = w.client("other-receiver").get("/api/v1/routes/benefit/inbox");
        assertEquals(403, stranger.statusCode());
        assertTrue(stranger.body().contains("NOT_A_RECEIVER"), stranger.body());
        HttpResponse<String> strangerPayload =
                w.client("other-receiver").get("/api/v1/routes/benefit/transfers/" + id + "/payload");
        assertTrue(strangerPayload.body().contains("NOT_A_RECEIVER"), strangerPayload.body());

        // download in two pieces: the first broken off after 1 MB, the rest by Range
        String payload = "/api/v1/routes/benefit/transfers/" + id + "/payload";
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        HttpResponse<InputStream> d1 = receiver.download(payload, null);
        assertEquals(200, d1.statusCode());
        assertEquals("application/cms", d1.headers().firstValue("Content-Type").orElse(null));
        try (InputStream in = d1.body()) {
            got.write(in.readNBytes(1_048_576));
        }
        HttpResponse<InputStream> d2 = receiver.download(payload, 1_048_576L);
        assertEquals(206, d2.statusCode());
        assertEquals(
                "bytes 1048576-" + (size - 1) + "/" + size,
                d2.headers().firstValue("Content-Range").orElse(null));
        try (InputStream in = d2.body()) {
            in.transferTo(got);
        }
        assertArrayEquals(Files.readAllBytes(envelope), got.toByteArray(), "two ranges make the envelope");
        assertNotNull(event(EventType.TRANSFER_DELIVERED, id));
        // the headers of the payload (PayloadHandler answers it in the pipeline, as the controller did)
        assertEquals(
                Long.toString(size), d1.headers().firstValue("Content-Length").orElse(null));
        assertEquals("bytes", d1.headers().firstValue("Accept-Ranges").orElse(null));
        assertEquals(id, d1.headers().firstValue("Sekisho-Transfer-Id").orElse(null));
        assertEquals(
                envelopeSha, d1.headers().firstValue("Sekisho-Payload-Sha256").orElse(null));
        assertEquals("no-store", d1.headers().firstValue("Cache-Control").orElse(null));
        assertTrue(d1.headers().firstValue("X-Request-Id").isPresent());
        assertEquals(
                Long.toString(size - 1_048_576L),
                d2.headers().firstValue("Content-Length").orElse(null));
        HttpResponse<InputStream> beyond = receiver.download(payload, size);
        assertEquals(416, beyond.statusCode());
        try (InputStream in = beyond.body()) {
            String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(body.contains("\"reason\":\"RANGE_NOT_SATISFIABLE\""), body);
        }
        // a principal without the receiver role: the payload handler's admission refusal and its audit event
        HttpResponse<String> noRole = sender.get(payload);
        assertEquals(403, noRole.statusCode(), noRole.body());
        assertTrue(noRole.body().contains("\"reason\":\"ROLE_REQUIRED\""), noRole.body());
        assertNotNull(w.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "ROLE_REQUIRED".equals(e.event().reason())
                        && e.event().detailJson().contains("\"entry\":\"payload\"")
                        && e.event().detailJson().contains("\"method\":\"GET\",\"path\":\"" + payload + "\"")));

        // a wrong hash keeps the copy
        HttpResponse<String> badAck = receiver.post(
                "/api/v1/routes/benefit/transfers/" + id + "/ack", "{\"sha256\":\"" + "0".repeat(64) + "\"}");
        assertEquals(409, badAck.statusCode(), badAck.body());
        assertTrue(badAck.body().contains("ACK_HASH_MISMATCH"), badAck.body());
        assertTrue(Files.exists(cms));
        // two hashes in one body: refused as malformed, not resolved to the last one (as the old parser did)
        HttpResponse<String> twoHashes = receiver.post(
                "/api/v1/routes/benefit/transfers/" + id + "/ack",
                "{\"sha256\":\"" + "0".repeat(64) + "\",\"sha256\":\"" + envelopeSha + "\"}");
        assertEquals(400, twoHashes.statusCode(), twoHashes.body());
        assertEquals("METADATA_INVALID", Json.parseObject(twoHashes.body()).get("reason"), twoHashes.body());
        assertTrue(Files.exists(cms));

        HttpResponse<String> ack = receiver.post(
                "/api/v1/routes/benefit/transfers/" + id + "/ack", "{\"sha256\":\"" + envelopeSha + "\"}");
        assertEquals(200, ack.statusCode(), ack.body());
        assertTrue(ack.body().contains("\"state\":\"ACKNOWLEDGED\""), ack.body());
        assertTrue(ReceiptSigner.verifyReceipt(w.gw.store.signingKey().publicKey(), ack.body()), ack.body());
        assertEquals(List.of(), w.spoolFiles(dataDir, id), "nothing of the transfer remains under data-dir");
        try (var all = Files.walk(dataDir)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().contains(id)));
        }
        assertNotNull(event(EventType.TRANSFER_ACKNOWLEDGED, id));
        assertNotNull(event(EventType.TRANSFER_PURGED, id));
        HttpResponse<String> status = sender.get("/api/v1/routes/benefit/transfers/" + id);
        assertTrue(status.body().contains("\"state\":\"PURGED\""), status.body());
        assertEquals(404, receiver.get(payload).statusCode());
        assertTrue(!receiver.get("/api/v1/routes/benefit/inbox").body().contains(id));
    }

    @Test
    void curlUploadsWithHandWrittenTusHeaders() throws Exception {
        Procs.require("curl");
        Path ca = w.pki.caFile();
        Path cert = w.pki.dir().resolve("city-sender.pem");
        Path key = w.pki.dir().resolve("city-sender.key");
        String base = "https://127.0.0.1:" + w.gw.gateway.port("transfer");
        String[] tls = {"--cacert", ca.toString(), "--cert", cert.toString(), "--key", key.toString()};

        Procs.Result options = Procs.run(
                20,
                concat(
                        new String[] {"curl", "-sS", "-i", "-X", "OPTIONS"},
                        tls,
                        base + "/api/v1/routes/benefit/uploads"));
        assertTrue(options.out().contains("HTTP/1.1 204"), options.out());
        assertTrue(
                options.out().contains("Tus-Extension: creation,creation-defer-length,checksum,termination,expiration"),
                options.out());
        assertTrue(options.out().contains("Tus-Max-Size: 8388608"), options.out());

        Procs.Result wrongVersion = Procs.run(
                20,
                concat(
                        new String[] {
                            "curl",
                            "-sS",
                            "-i",
                            "-X",
                            "POST",
                            "-H",
                            "Tus-Resumable: 0.2.2",
                            "-H",
                            "Upload-Length: 10",
                            "-H",
                            "Upload-Metadata: " + meta(envelopeSha, 1)
                        },
                        tls,
                        base + "/api/v1/routes/benefit/uploads"));
        assertTrue(wrongVersion.out().contains("HTTP/1.1 412"), wrongVersion.out());
        assertTrue(wrongVersion.out().contains("Tus-Version: 1.0.0"), wrongVersion.out());

        Procs.Result badMeta = Procs.run(
                20,
                concat(
                        new String[] {
                            "curl",
                            "-sS",
                            "-i",
                            "-X",
                            "POST",
                            "-H",
                            "Tus-Resumable: 1.0.0",
                            "-H",
                            "Upload-Length: 10",
                            "-H",
                            "Upload-Metadata: sha256 " + jp.sekisho.gateway.transfer.TusClient.b64("abc") + ",records "
                                    + jp.sekisho.gateway.transfer.TusClient.b64("1")
                        },
                        tls,
                        base + "/api/v1/routes/benefit/uploads"));
        assertTrue(badMeta.out().contains("HTTP/1.1 400") && badMeta.out().contains("METADATA_INVALID"), badMeta.out());

        Procs.Result created = Procs.run(
                20,
                concat(
                        new String[] {
                            "curl",
                            "-sS",
                            "-i",
                            "-X",
                            "POST",
                            "-H",
                            "Tus-Resumable: 1.0.0",
                            "-H",
                            "Upload-Length: " + Files.size(envelope),
                            "-H",
                            "Upload-Metadata: " + meta(envelopeSha, 7)
                        },
                        tls,
                        base + "/api/v1/routes/benefit/uploads"));
        assertTrue(created.out().contains("HTTP/1.1 201"), created.out());
        String loc = created.out()
                .lines()
                .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("location:"))
                .findFirst()
                .orElseThrow()
                .substring("location:".length())
                .trim();

        Procs.Result wrongType = Procs.run(
                20,
                concat(
                        new String[] {
                            "curl",
                            "-sS",
                            "-i",
                            "-X",
                            "PATCH",
                            "-H",
                            "Tus-Resumable: 1.0.0",
                            "-H",
                            "Upload-Offset: 0",
                            "-H",
                            "Content-Type: text/plain",
                            "--data-binary",
                            "x"
                        },
                        tls,
                        base + loc));
        assertTrue(wrongType.out().contains("HTTP/1.1 415"), wrongType.out());

        Procs.Result badSum = Procs.run(
                20,
                concat(
                        new String[] {
                            "curl",
                            "-sS",
                            "-i",
                            "-X",
                            "PATCH",
                            "-H",
                            "Tus-Resumable: 1.0.0",
                            "-H",
                            "Upload-Offset: 0",
                            "-H",
                            "Content-Type: application/offset+octet-stream",
                            "-H",
                            "Upload-Checksum: sha256 "
                                    + java.util.Base64.getEncoder().encodeToString(new byte[32]),
                            "--data-binary",
                            "@" + envelope
                        },
                        tls,
                        base + loc));
        assertTrue(badSum.out().contains("HTTP/1.1 460") && badSum.out().contains("CHECKSUM_MISMATCH"), badSum.out());
        assertEquals(0, sender.offset(loc), "nothing of a chunk with a wrong checksum is kept");

        Procs.Result patched = Procs.run(
                60,
                concat(
                        new String[] {
                            "curl",
                            "-sS",
                            "-i",
                            "-X",
                            "PATCH",
                            "-H",
                            "Tus-Resumable: 1.0.0",
                            "-H",
                            "Upload-Offset: 0",
                            "-H",
                            "Content-Type: application/offset+octet-stream",
                            "--data-binary",
                            "@" + envelope
                        },
                        tls,
                        base + loc));
        assertTrue(patched.out().contains("HTTP/1.1 204"), patched.out());
        assertTrue(patched.out().contains("Sekisho-Transfer-Id: " + idOf(loc)), patched.out());

        Procs.Result head = Procs.run(
                20, concat(new String[] {"curl", "-sS", "-I", "-H", "Tus-Resumable: 1.0.0"}, tls, base + loc));
        assertTrue(head.out().contains("Upload-Offset: " + Files.size(envelope)), head.out());
        assertTrue(head.out().contains("Cache-Control: no-store"), head.out());
    }

    private static String meta(String sha, long records) {
        return jp.sekisho.gateway.transfer.TusClient.metadata("curl.cms", sha, records);
    }

    private static String[] concat(String[] a, String[] b, String last) {
        String[] out = new String[a.length + b.length + 1];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        out[out.length - 1] = last;
        return out;
    }

    @Test
    void theThirdPartyTusJavaClientUploads() throws Exception {
        SSLContext ssl = Tls.client(w.pki.dir().resolve("city-sender.p12"), w.pki.caFile());
        TusClient client = new TusClient() {
            @Override
            public void prepareConnection(java.net.HttpURLConnection connection) {
                super.prepareConnection(connection);
                if (connection instanceof HttpsURLConnection https) {
                    https.setSSLSocketFactory(ssl.getSocketFactory());
                }
            }
        };
        client.setUploadCreationURL(
                new URL("https://127.0.0.1:" + w.gw.gateway.port("transfer") + "/api/v1/routes/benefit/uploads"));
        Path file = w.seal("tus-java.cms", 2_500_000, "contractor-enc", ContentCipher.AES_256_GCM);
        TusUpload upload = new TusUpload(file.toFile());
        upload.setMetadata(Map.of(
                "filename",
                "tus-java.cms",
                "sha256",
                jp.sekisho.gateway.transfer.TusClient.sha256(file),
                "records",
                "12"));
        String[] url = new String[1];
        new TusExecutor() {
            @Override
            protected void makeAttempt() throws io.tus.java.client.ProtocolException, java.io.IOException {
                TusUploader uploader = client.createUpload(upload);
                uploader.setChunkSize(512 * 1024);
                while (uploader.uploadChunk() > -1) {
                    // keep going
                }
                uploader.finish();
                url[0] = uploader.getUploadURL().toString();
            }
        }.makeAttempts();
        String id = url[0].substring(url[0].lastIndexOf('/') + 1);
        assertNotNull(event(EventType.TRANSFER_STORED, id));
        assertArrayEquals(
                Files.readAllBytes(file),
                Files.readAllBytes(dataDir.resolve("spool").resolve(id + ".cms")));
    }

    @Test
    void refusedPayloadsAreRecordedAndLeaveNothingInTheSpool() throws Exception {
        Procs.require("openssl");
        // plain file
        Path plain = dir.resolve("plain.csv");
        Files.writeString(plain, "氏名,住所\n山田太郎,久留米市\n".repeat(1000));
        refused(plain, jp.sekisho.gateway.transfer.TusClient.sha256(plain), "PAYLOAD_NOT_ENCRYPTED");
        // for another recipient
        Path stranger = w.seal("stranger.cms", 100_000, "stranger-enc", ContentCipher.AES_256_GCM);
        refused(stranger, jp.sekisho.gateway.transfer.TusClient.sha256(stranger), "PAYLOAD_WRONG_RECIPIENT");
        // weak ciphers, by OpenSSL
        for (String cipher : List.of("-aes128", "-des3")) {
            Path weak = dir.resolve("weak" + cipher + ".cms");
            Procs.Result r = Procs.run(
                    30,
                    "openssl",
                    "cms",
                    "-encrypt",
                    "-binary",
                    cipher,
                    "-outform",
                    "DER",
                    "-in",
                    plain.toString(),
                    "-out",
                    weak.toString(),
                    w.pki.dir().resolve("contractor-enc.pem").toString());
            assertEquals(0, r.exit(), r.out());
            refused(weak, jp.sekisho.gateway.transfer.TusClient.sha256(weak), "PAYLOAD_WEAK_CIPHER");
        }
        // a tampered byte: the declared hash is of the original envelope
        Path tampered = dir.resolve("tampered.cms");
        byte[] b = Files.readAllBytes(envelope);
        b[b.length / 2] ^= 1;
        Files.write(tampered, b);
        refused(tampered, envelopeSha, "PAYLOAD_HASH_MISMATCH");

        // at creation: records over the approval, size over the route's maximum
        HttpResponse<String> over = sender.create(
                "benefit",
                Files.size(envelope),
                jp.sekisho.gateway.transfer.TusClient.metadata("x.cms", envelopeSha, 1001));
        assertEquals(403, over.statusCode(), over.body());
        assertTrue(over.body().contains("RECORDS_OVER_APPROVAL"), over.body());
        HttpResponse<String> large = sender.create(
                "benefit",
                8 * 1024 * 1024 + 1,
                jp.sekisho.gateway.transfer.TusClient.metadata("x.cms", envelopeSha, 1));
        assertEquals(413, large.statusCode(), large.body());
        assertTrue(large.body().contains("PAYLOAD_TOO_LARGE"), large.body());
        for (String reason : List.of("RECORDS_OVER_APPROVAL", "PAYLOAD_TOO_LARGE")) {
            assertNotNull(
                    w.gw.awaitEvent(
                            EventType.REQUEST_DENIED,
                            e -> reason.equals(e.event().reason())),
                    reason);
        }
    }

    private static void refused(Path file, String declaredSha, String reason) throws Exception {
        String loc = create("benefit", file, declaredSha, 1);
        String id = idOf(loc);
        HttpResponse<String> r = sender.patch(loc, file, 0, Files.size(file), false);
        assertEquals(422, r.statusCode(), reason + ": " + r.body());
        assertEquals(reason, Json.parseObject(r.body()).get("reason"), r.body());
        RecordedEvent e = event(EventType.TRANSFER_REJECTED, id);
        assertNotNull(e, "TRANSFER_REJECTED for " + reason);
        assertEquals(reason, e.event().reason());
        assertEquals(List.of(), w.spoolFiles(dataDir, id), "nothing of a refused payload remains: " + reason);
        assertEquals(404, sender.head(loc).statusCode());
        assertTrue(sender.get("/api/v1/routes/benefit/transfers/" + id).body().contains("\"state\":\"REJECTED\""));
    }

    @Test
    void anUploadInProgressIsAbortedWhenTheApprovalIsSuspended() throws Exception {
        Path big = w.seal("suspended.cms", 6_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        String loc = create("suspendable", big, jp.sekisho.gateway.transfer.TusClient.sha256(big), 5);
        String id = idOf(loc);
        assertEquals(204, sender.patch(loc, big, 0, 1_000_000, false).statusCode());
        // a second PATCH that is still sending when the council's approval is suspended
        Thread slow = new Thread(() -> {
            try {
                slowPatch(loc, big, 1_000_000);
            } catch (Exception ignored) {
                // the gateway closes the connection: expected
            }
        });
        slow.start();
        Path part = dataDir.resolve("spool").resolve(id + ".part");
        await("second PATCH under way")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> Files.size(part), size -> size > 1_000_000);
        w.decide("R-suspend", Decision.SUSPEND);
        RecordedEvent aborted = event(EventType.TRANSFER_ABORTED, id);
        assertNotNull(aborted);
        assertEquals("APPROVAL_SUSPENDED", aborted.event().reason());
        slow.join(10_000);
        assertTrue(!slow.isAlive(), "the PATCH connection was closed");
        assertEquals(List.of(), w.spoolFiles(dataDir, id), "the partial file is gone");
        w.decide("R-suspend", Decision.REINSTATE);
        HttpResponse<String> inbox = awaitInbox();
        assertTrue(!inbox.body().contains(id), "nothing of it is delivered");
        assertEquals(
                404,
                receiver.get("/api/v1/routes/suspendable/transfers/" + id + "/payload")
                        .statusCode());
        assertTrue(sender.get("/api/v1/routes/suspendable/transfers/" + id)
                .body()
                .contains("\"reason\":\"APPROVAL_SUSPENDED\""));
    }

    @Test
    void aDownloadInProgressIsCutWhenTheApprovalIsSuspended() throws Exception {
        Path big = w.seal("cut.cms", 40_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        String loc = create("suspendable", big, jp.sekisho.gateway.transfer.TusClient.sha256(big), 5);
        String id = idOf(loc);
        HttpResponse<String> stored = sender.patch(loc, big, 0, Files.size(big), false);
        assertEquals(204, stored.statusCode(), stored.body());
        long got = 0;
        try (SSLSocket s =
                (SSLSocket) receiver.ssl.getSocketFactory().createSocket("127.0.0.1", w.gw.gateway.port("transfer"))) {
            s.setSoTimeout(20_000);
            s.getOutputStream()
                    .write(("GET /api/v1/routes/suspendable/transfers/" + id + "/payload HTTP/1.1\r\n"
                                    + "Host: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            while (got < 1_000_000) {
                int n = in.read(buf);
                assertTrue(n > 0, "the download started");
                got += n;
            }
            w.decide("R-suspend", Decision.SUSPEND);
            try {
                int n;
                while ((n = in.read(buf)) > 0) { // ~3 MB/s: the whole 40 MB would take 13 s
                    got += n;
                    Thread.sleep(20);
                }
            } catch (IOException cut) {
                // the gateway closed the connection: expected
            }
        } finally {
            w.decide("R-suspend", Decision.REINSTATE);
        }
        assertTrue(got < Files.size(big), "the download was cut before its end: " + got + " of " + Files.size(big));
        // the reinstatement reaches the node's policy snapshot within a second: until then the route refuses
        assertTrue(awaitInbox().body().contains(id), "still waiting for the receiver");
        HttpResponse<String> status = sender.get("/api/v1/routes/suspendable/transfers/" + id);
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(
                status.body().contains("\"state\":\"STORED\""), "a cut download is not a delivery: " + status.body());
    }

    /** The receiver's inbox of the reinstated route, once the gateway serves it again (within 2 s). */
    private static HttpResponse<String> awaitInbox() {
        return await("the reinstated route's inbox")
                .atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> receiver.get("/api/v1/routes/suspendable/inbox"), r -> r.statusCode() == 200);
    }

    /** Sends the rest of the file at about 1 MB/s on a raw socket. */
    private static void slowPatch(String loc, Path file, long from) throws Exception {
        long size = Files.size(file);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket)
                sender.ssl.getSocketFactory().createSocket("127.0.0.1", w.gw.gateway.port("transfer"))) {
            var out = s.getOutputStream();
            out.write(("PATCH " + loc + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + from
                            + "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + (size - from)
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = jp.sekisho.gateway.transfer.TusClient.slice(file, from, size)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    Thread.sleep(60);
                }
            }
        }
    }

    @Test
    void theSweeperExpiresUploadsPastUploadExpires() throws Exception {
        String loc = create("benefit", envelope, envelopeSha, 1);
        String id = idOf(loc);
        assertEquals(204, sender.patch(loc, envelope, 0, 1000, false).statusCode());
        try (var c = w.pg.superuser();
                var ps = c.prepareStatement(
                        "UPDATE transfer SET expires_at = now() - interval '1 second' WHERE id = ?")) {
            ps.setString(1, id);
            assertEquals(1, ps.executeUpdate());
        }
        assertTrue(w.gw.gateway.transfers().sweep() >= 1);
        RecordedEvent e = event(EventType.TRANSFER_EXPIRED, id);
        assertNotNull(e);
        assertEquals("UPLOAD_EXPIRED", e.event().reason());
        assertEquals(List.of(), w.spoolFiles(dataDir, id));
        assertEquals(404, sender.head(loc).statusCode());
    }

    @Test
    void theSenderTerminatesAnUpload() throws Exception {
        String loc = create("benefit", envelope, envelopeSha, 1);
        String id = idOf(loc);
        assertEquals(204, sender.patch(loc, envelope, 0, 1000, false).statusCode());
        HttpResponse<String> del = sender.http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(sender.base + loc))
                        .header("Tus-Resumable", "1.0.0")
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, del.statusCode(), del.body());
        assertEquals(
                "TERMINATED_BY_SENDER",
                event(EventType.TRANSFER_ABORTED, id).event().reason());
        assertEquals(List.of(), w.spoolFiles(dataDir, id));
        assertEquals(404, sender.head(loc).statusCode());
    }
}
