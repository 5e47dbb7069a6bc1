package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.EventType;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.GatewayCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large envelope to a gateway running in its own JVM with a 128 MB heap, in 64 MiB PATCHes; the
 * gateway is killed with SIGKILL in the middle of a PATCH, restarted, and the upload resumes from
 * HEAD's offset to a byte-identical STORED copy, which is then downloaded through the same small
 * heap. Size: {@code -Dsekisho.bigUpload=BYTES} (default 1 GiB; the 2 GiB runs too, in
 * about twice the time).
 */
class LargeUploadCrashTest {

    static final long SIZE = Long.getLong("sekisho.bigUpload", 1L << 30);
    static final long CHUNK = 64L << 20;

    @TempDir
    static Path dir;

    static TransferWorld w;
    static Path childDir;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-big", 305_115);
        w.routes("routes:\n" + TransferWorld.route("big", "R-big", "4GiB"));
        childDir = Files.createDirectories(dir.resolve("child"));
        Files.writeString(
                childDir.resolve("gateway.yml"),
                "node-id: gw2\n"
                        + "data-dir: data\n"
                        + "tls:\n"
                        + "  certificate: " + w.pki.gatewayFile("pem") + "\n"
                        + "  key: " + w.pki.gatewayFile("key") + "\n"
                        + "  trust-anchors: [" + w.pki.caFile() + "]\n"
                        + "  crls: [" + w.pki.crlFile() + "]\n"
                        + "listeners:\n" + TransferWorld.LISTENERS
                        + "principals:\n" + TransferWorld.PRINCIPALS
                        // the second node shares the first's approval seal key, as nodes of one store must
                        + "approvals:\n  seal-key: " + dir.resolve("gw/data/policy-seal.key") + "\n"
                        // one spool folder shared by the nodes of one store
                        + "spool:\n  dir: " + dir.resolve("gw/data/spool") + "\n"
                        + w.storeYaml());
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    /** A gateway JVM with -Xmx128m; returns it and its transfer port once it listens. */
    record Child(Process process, int port) {}

    static Child startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx128m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        GatewayCommand.class.getName(),
                        "--config",
                        childDir.resolve("gateway.yml").toString())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                String prefix = "Sekisho gateway gw2 listening: transfer https://127.0.0.1:";
                while ((line = r.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (line.startsWith(prefix)) {
                        port.complete(
                                Integer.parseInt(line.substring(prefix.length()).split(",")[0]));
                    }
                    if (line.contains("OutOfMemoryError")) {
                        System.out.println("child: " + line);
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
            port.completeExceptionally(new IllegalStateException("gateway JVM ended:\n" + seen));
        });
        reader.setDaemon(true);
        reader.start();
        return new Child(p, port.get(60, TimeUnit.SECONDS));
    }

    /**
     * A restart between PATCHes loses the SHA-256 kept in memory: the last PATCH hashes the spool
     * file instead, which accepts the right declared hash and still rejects a wrong one.
     */
    @Test
    void afterARestartTheLastPatchHashesTheSpoolFile() throws Exception {
        Path envelope = w.seal("restart.cms", 3_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        String sha = TusClient.sha256(envelope);
        long size = Files.size(envelope);
        Child child = startChild();
        TusClient sender = new TusClient(
                "https://127.0.0.1:" + child.port(),
                Tls.client(w.pki.dir().resolve("city-sender.p12"), w.pki.caFile()));
        String[] locs = new String[2];
        String[] declared = {sha, "f".repeat(64)};
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> created =
                    sender.create("big", size, TusClient.metadata("restart.cms", declared[i], 1));
            assertEquals(201, created.statusCode(), created.body());
            locs[i] = created.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> r = sender.patch(locs[i], envelope, 0, 1_500_000, false);
            assertEquals(204, r.statusCode(), r.body());
        }
        child.process().destroy();
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS));

        Child again = startChild();
        try {
            TusClient resumed = new TusClient("https://127.0.0.1:" + again.port(), sender.ssl);
            String id = locs[0].substring(locs[0].lastIndexOf('/') + 1);
            HttpResponse<String> last = resumed.patch(locs[0], envelope, resumed.offset(locs[0]), size, false);
            assertEquals(204, last.statusCode(), last.body());
            assertEquals(id, last.headers().firstValue("Sekisho-Transfer-Id").orElse(null));
            assertEquals(sha, TusClient.sha256(dir.resolve("gw/data/spool").resolve(id + ".cms")));

            HttpResponse<String> wrong = resumed.patch(locs[1], envelope, resumed.offset(locs[1]), size, false);
            assertEquals(422, wrong.statusCode(), wrong.body());
            assertTrue(
                    wrong.body().contains("PAYLOAD_HASH_MISMATCH")
                            && wrong.body().contains(sha),
                    wrong.body());
        } finally {
            again.process().destroy();
            again.process().waitFor(20, TimeUnit.SECONDS);
            Files.deleteIfExists(envelope);
        }
    }

    @Test
    void aLargeUploadToA128MbGatewaySurvivesKill9AndResumesByteIdentical() throws Exception {
        long t0 = System.nanoTime();
        Path envelope = w.seal("big.cms", SIZE, "contractor-enc", ContentCipher.AES_256_GCM);
        String sha = TusClient.sha256(envelope);
        long size = Files.size(envelope);
        long sealed = System.nanoTime();

        Child child = startChild();
        TusClient sender = new TusClient(
                "https://127.0.0.1:" + child.port(),
                Tls.client(w.pki.dir().resolve("city-sender.p12"), w.pki.caFile()));
        HttpResponse<String> created = sender.create("big", size, TusClient.metadata("big.cms", sha, 305_115));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        String id = loc.substring(loc.lastIndexOf('/') + 1);
        Path part = dir.resolve("gw/data/spool").resolve(id + ".part");

        // acknowledged PATCHes up to about half
        long acked = 0;
        long u0 = System.nanoTime();
        while (acked < size / 2) {
            HttpResponse<String> r = sender.patch(loc, envelope, acked, Math.min(size, acked + CHUNK), false);
            assertEquals(204, r.statusCode(), r.body());
            acked = Long.parseLong(r.headers().firstValue("Upload-Offset").orElseThrow());
        }
        long firstHalfNanos = System.nanoTime() - u0;

        // one more PATCH in flight when the gateway is killed
        long from = acked;
        CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> {
            try {
                sender.patch(loc, envelope, from, Math.min(size, from + CHUNK), false);
            } catch (Exception ignored) {
                // the connection dies with the gateway
            }
        });
        for (int i = 0; i < 400 && Files.size(part) < from + (8L << 20); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.size(part) > from, "the PATCH was being written when the gateway was killed");
        child.process().destroyForcibly(); // SIGKILL
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.process().exitValue(), "killed by SIGKILL");
        inFlight.get(60, TimeUnit.SECONDS);
        // files no live transfer accounts for are removed at start-up, and recorded
        Path stray = Files.writeString(dir.resolve("gw/data/spool/NoSuchTransfer0000000.cms"), "left over");

        Child again = startChild();
        try {
            TusClient resumed = new TusClient("https://127.0.0.1:" + again.port(), sender.ssl);
            long offset = resumed.offset(loc);
            assertTrue(!Files.exists(stray), "orphan removed at start-up");
            assertNotNull(w.gw.awaitEvent(
                    EventType.TRANSFER_ABORTED,
                    e -> "SPOOL_ORPHAN".equals(e.event().reason())));
            assertTrue(
                    offset >= acked && offset < size,
                    "HEAD after restart: " + offset + ", acknowledged before: " + acked);
            assertEquals(offset, Files.size(part), "the spool file is cut to the trusted offset");
            long u1 = System.nanoTime();
            HttpResponse<String> last = resumed.upload(loc, envelope, CHUNK);
            long secondHalfNanos = System.nanoTime() - u1;
            assertEquals(204, last.statusCode(), last.body());
            assertEquals(id, last.headers().firstValue("Sekisho-Transfer-Id").orElse(null));
            assertNotNull(w.gw.awaitEvent(
                    EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));
            assertEquals(sha, TusClient.sha256(dir.resolve("gw/data/spool").resolve(id + ".cms")), "byte-identical");

            // and out again through the same 128 MB heap
            TusClient receiver = new TusClient(
                    "https://127.0.0.1:" + again.port(),
                    Tls.client(w.pki.dir().resolve("contractor.p12"), w.pki.caFile()));
            long d0 = System.nanoTime();
            HttpResponse<InputStream> d = receiver.download("/api/v1/routes/big/transfers/" + id + "/payload", null);
            assertEquals(200, d.statusCode());
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long got = 0;
            try (InputStream in = d.body()) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                    got += n;
                }
            }
            long downNanos = System.nanoTime() - d0;
            assertEquals(size, got);
            assertEquals(sha, HexFormat.of().formatHex(md.digest()));
            double mib = size / 1048576.0;
            System.out.printf(
                    "large upload: %.0f MiB sealed in %.1f s; first half %.0f MiB/s, resumed half incl. envelope "
                            + "check %.0f MiB/s, download %.0f MiB/s, gateway -Xmx128m%n",
                    mib,
                    (sealed - t0) / 1e9,
                    (acked / 1048576.0) / (firstHalfNanos / 1e9),
                    ((size - offset) / 1048576.0) / (secondHalfNanos / 1e9),
                    mib / (downNanos / 1e9));
        } finally {
            again.process().destroy();
            again.process().waitFor(20, TimeUnit.SECONDS);
            Files.deleteIfExists(envelope);
        }
    }
}
