package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jp.sekisho.envelope.ContentCipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool writer can fall behind the network (a slow disk, a busy core). It must then stop the
 * upload's connection from reading, not the event loop: other clients, whose connections share the
 * event loops, are still answered. The writer is held (its tasks parked, as a stalled disk would)
 * while an upload larger than its buffers streams in; then small requests on fresh connections, which
 * Netty deals round-robin over all the event loops, must each be answered at once, and the gateway
 * holds only a few of the upload's buffers meanwhile (the connection stopped reading).
 */
class EventLoopNeverWaitsTest {

    @TempDir
    Path dir;

    @Test
    void aStalledSpoolWriterHoldsOnlyItsOwnUpload() throws Exception {
        try (TransferWorld w = new TransferWorld(dir)) {
            w.approve("REF-1", 1000);
            w.routes("routes:\n" + TransferWorld.route("benefit", "REF-1", "64MiB"));
            Path envelope = w.seal("big.cms", 24L << 20, "contractor-enc", ContentCipher.AES_256_GCM);
            byte[] bytes = Files.readAllBytes(envelope);
            TusClient sender = w.client("city-sender");
            HttpResponse<String> created = sender.create(
                    "benefit", bytes.length, TusClient.metadata("big.cms", TusClient.sha256(envelope), 1));
            assertEquals(201, created.statusCode(), created.body());
            String location = created.headers().firstValue("Location").orElseThrow();

            TransferService transfers = w.gw.gateway.transfers();
            int buffersBefore = SpoolBuffers.outstanding();
            Runnable release = transfers.holdSpoolWriter();
            CompletableFuture<HttpResponse<String>> patch = CompletableFuture.supplyAsync(() -> {
                try {
                    return sender.patch(location, 0, bytes);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                // both of the writer's task chains (hash and scan, write) are parked: the buffers fill within
                // milliseconds
                await().atMost(Duration.ofSeconds(30)).until(() -> transfers.parkedSpoolTasks() >= 2);
                // and the upload's connection stops reading: the gateway holds a few buffers, not the 24 MiB sent
                await().during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> SpoolBuffers.outstanding() - buffersBefore <= SpoolWriter.IN_FLIGHT + 3);
                for (int i = 0; i < 8; i++) {
                    HttpClient fresh = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .sslContext(Tls.client(w.pki.dir().resolve("city-sender.p12"), w.pki.caFile()))
                            .connectTimeout(Duration.ofSeconds(5))
                            .build();
                    HttpResponse<String> terms = fresh.send(
                            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + w.gw.gateway.port("transfer")
                                            + "/api/v1/routes/benefit/terms"))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, terms.statusCode(), "connection " + i + ": " + terms.body());
                }
                assertFalse(patch.isDone(), "the upload waits for its writer");
            } finally {
                release.run();
            }
            HttpResponse<String> done = patch.get(60, TimeUnit.SECONDS);
            assertEquals(204, done.statusCode(), done.body());
            String id = done.headers().firstValue(Tus.TRANSFER_ID).orElse(null);
            assertNotNull(id, "the upload was stored once the writer went on");
            assertEquals(TransferState.STORED, transfers.find(id).orElseThrow().state());
        }
    }
}
