package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.http.PrometheusText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-off through the real gateway (real TLS, the audit store on PostgreSQL) as the metrics see
 * it: every PATCH counted under its method, the transfer's state changes and bytes by route, a
 * NOT_A_SENDER refusal as DENY (never ALLOW/OK), and the scrape is strict Prometheus text with the
 * JVM, HikariCP and audit store families in it.
 */
class TransferMetricsTest {

    @TempDir
    static Path dir;

    static TransferWorld w;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-metered", 1000);
        w.routes("routes:\n" + TransferWorld.route("metered", "R-metered", "8MiB"));
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    @Test
    void anUploadItsPatchesAndItsDownloadAreCountedByRouteAndMethod() throws Exception {
        Metrics m = w.gw.gateway.metrics();
        TusClient sender = w.client("city-sender");
        TusClient receiver = w.client("contractor");
        Path envelope = w.seal("metered.cms", 300_000, "contractor-enc", ContentCipher.AES_256_GCM);
        long size = Files.size(envelope);
        double patches = m.sum(Metrics.REQUESTS, "listener", "transfer", "method", "PATCH", "outcome", "ALLOW");
        double timed = m.timerCount("sekisho.request.duration", "listener", "transfer", "outcome", "ALLOW");

        HttpResponse<String> created =
                sender.create("metered", size, TusClient.metadata("metered.cms", TusClient.sha256(envelope), 1));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> last =
                sender.upload(created.headers().firstValue("Location").orElseThrow(), envelope, 100_000);
        assertEquals(204, last.statusCode(), last.body());
        String id = last.headers().firstValue(Tus.TRANSFER_ID).orElseThrow();

        assertEquals(
                patches + (double) ((size + 99_999) / 100_000),
                m.sum(Metrics.REQUESTS, "listener", "transfer", "method", "PATCH", "outcome", "ALLOW"),
                "one PATCH per 100,000 bytes");
        assertTrue(m.timerCount("sekisho.request.duration", "listener", "transfer", "outcome", "ALLOW") >= timed + 5);
        assertEquals(1, m.sum(Metrics.TRANSFERS, "route", "metered", "outcome", "STARTED"));
        assertEquals(1, m.sum(Metrics.TRANSFERS, "route", "metered", "outcome", "STORED"));
        assertEquals((double) size, m.sum(Metrics.TRANSFER_BYTES, "route", "metered", "direction", "upload"));

        HttpResponse<InputStream> got = receiver.download("/api/v1/routes/metered/transfers/" + id + "/payload", null);
        assertEquals(200, got.statusCode());
        try (InputStream in = got.body()) {
            assertEquals(size, in.readAllBytes().length);
        }
        // the download is counted when it closes, after its last write
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> m.sum(Metrics.TRANSFER_BYTES, "route", "metered", "direction", "download") >= size);
        assertEquals((double) size, m.sum(Metrics.TRANSFER_BYTES, "route", "metered", "direction", "download"));
        assertEquals(1, m.sum(Metrics.TRANSFERS, "route", "metered", "outcome", "DELIVERED"));

        // the receiver asking as sender: refused, counted as that refusal, never as allowed
        double allowed = m.sum(Metrics.REQUESTS, "listener", "transfer", "method", "GET", "outcome", "ALLOW");
        HttpResponse<String> notSender = receiver.get("/api/v1/routes/metered/terms?as=sender");
        assertEquals(403, notSender.statusCode(), notSender.body());
        assertTrue(notSender.body().contains("NOT_A_SENDER"), notSender.body());
        assertEquals(
                1,
                m.sum(
                        Metrics.REQUESTS,
                        "listener",
                        "transfer",
                        "method",
                        "GET",
                        "outcome",
                        "DENY",
                        "reason",
                        "NOT_A_SENDER"));
        assertEquals(allowed, m.sum(Metrics.REQUESTS, "listener", "transfer", "method", "GET", "outcome", "ALLOW"));
        assertEquals(1, m.sum(Metrics.REFUSALS, "stage", "request", "reason", "NOT_A_SENDER"));

        w.gw.store.postgresLog().flush(java.time.Duration.ofSeconds(5));
        List<PrometheusText.Sample> s = PrometheusText.parse(m.render());
        assertEquals(
                1,
                PrometheusText.sum(s, Metrics.REQUESTS, "method", "GET", "outcome", "DENY", "reason", "NOT_A_SENDER"));
        assertTrue(PrometheusText.sum(s, Metrics.AUDIT_WRITE_SECONDS + "_count") >= 1, "batches were timed");
        assertTrue(PrometheusText.has(s, Metrics.AUDIT_QUEUE));
        assertTrue(PrometheusText.has(s, "hikaricp_connections"), "the audit store's pool");
        assertTrue(PrometheusText.sum(s, "hikaricp_connections_max", "pool", "sekisho-audit") >= 1);
        assertTrue(PrometheusText.has(s, "jvm_memory_used_bytes"));
        assertTrue(PrometheusText.has(s, "jvm_gc_pause_seconds_count")
                || PrometheusText.has(s, "jvm_gc_live_data_size_bytes"));
        assertTrue(PrometheusText.has(s, "jvm_threads_live_threads"));
        assertTrue(PrometheusText.has(s, "process_uptime_seconds"));
        assertTrue(PrometheusText.has(s, "process_files_open_files"));
        assertTrue(PrometheusText.has(s, "system_cpu_count"));
        assertTrue(PrometheusText.has(s, "jvm_classes_loaded_classes"));
        assertTrue(PrometheusText.has(s, Metrics.SPOOL_USABLE));
    }
}
