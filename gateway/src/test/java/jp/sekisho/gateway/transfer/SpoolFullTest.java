package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.http.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full spool disk is named SPOOL_FULL at once: the spool of a real gateway is a 64 MiB tmpfs.
 * An upload of a known 100 MiB is refused at creation; a deferred-length one is refused (507) on the
 * PATCH that fills the disk, its partial file deleted and the transfer ABORTED SPOOL_FULL, and a
 * 1 MiB upload then goes through: the space came back.
 */
class SpoolFullTest {

    static final long MIB = 1L << 20;

    @TempDir
    static Path dir;

    static Path spool;
    static boolean mounted;
    static TransferWorld w;
    static TusClient sender;

    @BeforeAll
    static void start() throws Exception {
        spool = dir.resolve("gw").resolve("data").resolve("spool");
        Files.createDirectories(spool);
        mounted = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", spool.toString()) == 0;
        assumeTrue(mounted, "mounting a 64 MiB tmpfs needs root (CI runs as root): the spool-full test is skipped");
        w = new TransferWorld(dir);
        w.approve("R-spool", 1000);
        w.routes("routes:\n" + TransferWorld.route("spool", "R-spool", "200MiB"));
        sender = w.client("city-sender");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (w != null) {
                w.close();
            }
        } finally {
            if (mounted) {
                run("umount", spool.toString());
            }
        }
    }

    @Test
    void aKnownLengthThatDoesNotFitIsRefusedAtCreation() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = sender.create("spool", 100 * MIB, TusClient.metadata("big.cms", "0".repeat(64), 1));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(507, r.statusCode(), r.body());
        assertEquals("SPOOL_FULL", Json.parseObject(r.body()).get("reason"), r.body());
        assertTrue(ms < 2000, "refused at once: " + ms + " ms");
        System.out.println("spool-full: known 100 MiB refused at creation in " + ms + " ms");
        assertTrue(partFiles().isEmpty(), "no upload was created: " + partFiles());
    }

    @Test
    void aDeferredUploadThatFillsTheDiskIsRefusedReleasedAndSmallUploadsStillWork() throws Exception {
        HttpResponse<String> created = sender.createDeferred("spool", TusClient.metadata("big.cms", null, 1));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        String id = loc.substring(loc.lastIndexOf('/') + 1);

        long t0 = System.nanoTime();
        String answer = patchWithoutWaiting(loc, 100 * MIB);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("spool-full: deferred 100 MiB refused after " + ms + " ms: "
                + answer.lines().findFirst().orElse(""));
        assertTrue(answer.startsWith("HTTP/1.1 507"), answer);
        assertTrue(answer.contains("\"reason\":\"SPOOL_FULL\""), answer);

        await("the partial file is deleted")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !Files.exists(spool.resolve(id + Spool.PART)));
        RecordedEvent aborted = w.gw.awaitEvent(
                EventType.TRANSFER_ABORTED,
                e -> id.equals(e.event().transferId())
                        && "SPOOL_FULL".equals(e.event().reason()));
        assertNotNull(aborted, "TRANSFER_ABORTED SPOOL_FULL is audited");
        HttpResponse<String> status = sender.get("/api/v1/routes/spool/transfers/" + id);
        assertTrue(status.body().contains("\"state\":\"ABORTED\""), status.body());

        // the space came back: a small upload goes through
        Path small = w.seal("small.cms", MIB, "contractor-enc", ContentCipher.AES_256_GCM);
        HttpResponse<String> c =
                sender.create("spool", Files.size(small), TusClient.metadata("small.cms", TusClient.sha256(small), 1));
        assertEquals(201, c.statusCode(), c.body());
        HttpResponse<String> last =
                sender.upload(c.headers().firstValue("Location").orElseThrow(), small, Files.size(small));
        assertEquals(204, last.statusCode(), last.body());
        assertTrue(
                last.headers().firstValue(Tus.TRANSFER_ID).isPresent(),
                last.headers().toString());

        long usable = w.gw.gateway.metrics().gaugeValue(Metrics.SPOOL_USABLE);
        long used = w.gw.gateway.metrics().gaugeValue(Metrics.SPOOL_USED);
        assertTrue(usable > 0 && usable <= 64 * MIB, "usable " + usable);
        assertTrue(used >= Files.size(small), "used " + used);
        assertTrue(
                w.gw.gateway.metrics().render().contains("# TYPE " + Metrics.SPOOL_USABLE + " gauge"),
                "the gauge is exported");
    }

    /**
     * A PATCH announcing {@code length} bytes, sent on a raw TLS socket by one thread while this
     * one reads the answer: the gateway answers as soon as the disk is full, not after the body.
     */
    private static String patchWithoutWaiting(String location, long length) throws Exception {
        try (SSLSocket s =
                (SSLSocket) sender.ssl.getSocketFactory().createSocket("127.0.0.1", w.gw.gateway.port("transfer"))) {
            s.setSoTimeout(60_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                            + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                            + "Content-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
                try (InputStream in = new TransferWorld.RepeatingRandom(length, 17)) {
                    in.transferTo(out);
                    out.flush();
                } catch (IOException closed) {
                    // the gateway refused and closed: the rest is not wanted
                }
            });
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] b = new byte[8192];
            int n;
            try {
                while ((n = in.read(b)) > 0) {
                    answer.write(b, 0, n);
                    if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
                        break; // the problem document is complete
                    }
                }
            } catch (IOException closed) {
                // closed after the answer
            }
            body.cancel(true);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static List<Path> partFiles() throws IOException {
        try (var s = Files.list(spool)) {
            return s.filter(p -> p.getFileName().toString().endsWith(Spool.PART))
                    .toList();
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(OutputStream.nullOutputStream());
        return p.waitFor();
    }
}
