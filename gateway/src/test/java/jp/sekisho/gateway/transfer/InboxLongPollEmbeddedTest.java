package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jp.sekisho.envelope.ContentCipher;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox long-poll on the embedded store of the one-command demo: its notifications are heard too. */
class InboxLongPollEmbeddedTest {

    @TempDir
    static Path dir;

    static TransferWorld w;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir, TransferWorld.LISTENERS, TransferWorld.PRINCIPALS, List.of(), "");
        w.approve("R-demo", 1000);
        w.routes("routes:\n" + TransferWorld.route("demo", "R-demo", "64MiB"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    @Test
    void aWaiterWakesWhenATransferIsStored() throws Exception {
        TransferService t = w.gw.gateway.transfers();
        Awaitility.await("the node hears the inbox channel of its embedded PostgreSQL")
                .atMost(Duration.ofSeconds(15))
                .until(t::inboxNoticesLive);
        TusClient receiver = w.client("contractor");
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> held = receiver.http.sendAsync(
                HttpRequest.newBuilder(URI.create(receiver.base + "/api/v1/routes/demo/inbox?wait=40s"))
                        .timeout(Duration.ofSeconds(70))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> t.inboxWaiters() == 1);

        Path envelope = w.seal("demo.cms", 50_000, "contractor-enc", ContentCipher.AES_256_GCM);
        String sha = TusClient.sha256(envelope);
        TusClient sender = w.client("city-sender");
        HttpResponse<String> created =
                sender.create("demo", Files.size(envelope), TusClient.metadata("demo.cms", sha, 1));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> done =
                sender.upload(created.headers().firstValue("Location").orElseThrow(), envelope, 1 << 20);
        assertEquals(204, done.statusCode(), done.body());

        HttpResponse<String> r = held.get(60, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains(done.headers().firstValue(Tus.TRANSFER_ID).orElseThrow()), r.body());
        assertTrue(took.compareTo(Duration.ofSeconds(40)) < 0, "answered before the wait ended: " + took);
    }
}
