package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.GatewayCommand;
import jp.sekisho.gateway.support.GatewayFixture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 1: two gateway nodes (gw1, gw2) on one database and one spool folder. Any node
 * continues any upload, serves any download and takes any acknowledgment; one upload is written by
 * one node at a time (the cluster lock), a node that loses its lock connection lets go, a node's
 * start-up recovery and sweep leave another node's upload in progress alone, and a spool folder that
 * disappears is refused with SPOOL_UNAVAILABLE, deleting nothing, until it is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedSpoolTest {

    static final String ROUTE = "shared";

    @TempDir
    static Path dir;

    static TransferWorld w;
    static GatewayFixture gw2;
    static Path spool;
    static Path envelope;
    static String sha;
    static long size;
    static TransferRepository repo;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-shared", 1000);
        w.routes("routes:\n" + TransferWorld.route(ROUTE, "R-shared", "64MiB"));
        spool = dir.resolve("gw/data/spool");
        gw2 = startGw2();
        repo = new TransferRepository(w.gw.store.database().dataSource());
        envelope = w.seal("shared.cms", 3_000_000, "contractor-enc", ContentCipher.AES_256_GCM);
        sha = TusClient.sha256(envelope);
        size = Files.size(envelope);
    }

    static GatewayFixture startGw2() throws Exception {
        return GatewayFixture.start(
                dir.resolve("gw2"), w.pki, "gw2", TransferWorld.LISTENERS, TransferWorld.PRINCIPALS, gw2Yaml());
    }

    static String gw2Yaml() {
        return "approvals:\n  seal-key: " + dir.resolve("gw/data/policy-seal.key") + "\n"
                + "spool:\n  dir: " + spool + "\n"
                + "health: { listen: \"127.0.0.1:0\", allow: [127.0.0.1/32] }\n"
                + w.storeYaml();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (gw2 != null) {
                gw2.close();
            }
        } finally {
            w.close();
        }
    }

    static TusClient client(GatewayFixture node, String who) throws Exception {
        return new TusClient(
                "https://127.0.0.1:" + node.gateway.port("transfer"),
                Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()));
    }

    static String create(TusClient c) throws Exception {
        HttpResponse<String> r = c.create(ROUTE, size, TusClient.metadata("shared.cms", sha, 10));
        assertEquals(201, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    @Test
    @Order(1)
    void anyNodeContinuesDeliversAndPurges() throws Exception {
        TusClient s1 = client(w.gw, "city-sender");
        TusClient s2 = client(gw2, "city-sender");
        String loc = create(s1);
        String id = idOf(loc);
        assertEquals(204, s1.patch(loc, envelope, 0, size / 3, false).statusCode());
        assertEquals(size / 3, s2.offset(loc), "node 2 sees node 1's durable offset");
        HttpResponse<String> done = s2.upload(loc, envelope, 1 << 20);
        assertEquals(204, done.statusCode(), done.body());
        assertEquals(id, done.headers().firstValue(Tus.TRANSFER_ID).orElseThrow());
        assertEquals("gw1", repo.find(id).orElseThrow().node(), "the row keeps the node that created it");

        TusClient r1 = client(w.gw, "contractor");
        HttpResponse<InputStream> d = r1.download("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/payload", null);
        assertEquals(200, d.statusCode());
        Path got = dir.resolve("got-1.cms");
        try (InputStream in = d.body()) {
            Files.copy(in, got);
        }
        assertEquals(sha, TusClient.sha256(got), "downloaded through node 1, byte-identical");

        TusClient r2 = client(gw2, "contractor");
        HttpResponse<String> ack =
                r2.post("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/ack", "{\"sha256\":\"" + sha + "\"}");
        assertEquals(200, ack.statusCode(), ack.body());
        assertEquals(TransferState.PURGED, repo.find(id).orElseThrow().state());
        assertEquals(List.of(), w.spoolFiles(dir.resolve("gw/data"), id), "the spool ends empty");
    }

    @Test
    @Order(2)
    void onePatchAtATimeAndALostLockLetsGo() throws Exception {
        TusClient s2 = client(gw2, "city-sender");
        String loc = create(s2);
        try (HeldPatch held = new HeldPatch(w.gw, loc, 0, size, 200_000)) {
            TransferService t1 = w.gw.gateway.transfers();
            Awaitility.await("node 1's PATCH holds the cluster lock")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> t1.clusterLocksHeld() == 1);
            HttpResponse<String> second = s2.patch(loc, envelope, 0, size, false);
            assertEquals(409, second.statusCode(), second.body());
            assertTrue(second.body().contains("UPLOAD_IN_PROGRESS"), second.body());

            // node 1's lock connection dies (as when the node dies): PostgreSQL releases its locks
            terminate("sekisho-locks-gw1");
            Awaitility.await("node 1 notices and cuts its PATCH")
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> t1.clusterLocksHeld() == 0 && held.closedByGateway());
        }
        assertEquals(0, s2.offset(loc), "the cut PATCH moved no offset");
        HttpResponse<String> done = s2.upload(loc, envelope, 1 << 20);
        assertEquals(204, done.statusCode(), done.body());
        assertEquals(sha, TusClient.sha256(spool.resolve(idOf(loc) + ".cms")), "completed on node 2, byte-identical");
    }

    @Test
    @Order(3)
    void aRestartAndASweepLeaveAnotherNodesUploadAlone() throws Exception {
        TusClient s1 = client(w.gw, "city-sender");
        String loc = create(s1);
        String id = idOf(loc);
        assertEquals(204, s1.patch(loc, envelope, 0, 100_000, false).statusCode());
        try (HeldPatch held = new HeldPatch(w.gw, loc, 100_000, size, 1_500_000)) {
            Path part = spool.resolve(id + ".part");
            Awaitility.await("node 1's PATCH holds the lock and has written past its start into the spool")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> w.gw.gateway.transfers().clusterLocksHeld() == 1 && Files.size(part) > 100_000);
            long written = Files.size(part);
            // past its Upload-Expires: only the PATCH in progress keeps it alive
            try (Connection c = w.pg.superuser();
                    Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE transfer SET expires_at = now() - interval '1 hour' WHERE id = '" + id + "'");
            }
            assertEquals(0, gw2.gateway.transfers().sweep(), "node 2's sweep skips the upload node 1 holds");
            gw2.close();
            gw2 = startGw2(); // node 2's start-up recovery
            assertEquals(0, gw2.gateway.transfers().sweep());
            Transfer t = repo.find(id).orElseThrow();
            assertEquals(TransferState.UPLOADING, t.state());
            assertEquals(100_000, t.offset());
            assertTrue(Files.size(part) >= written, "nothing of it was cut back or deleted");
            held.finishAndClose();
        }
        Awaitility.await("node 1 keeps what its interrupted PATCH received")
                .atMost(Duration.ofSeconds(10))
                .until(() -> repo.find(id).orElseThrow().offset() == 1_600_000);
        HttpResponse<String> done = client(gw2, "city-sender").upload(loc, envelope, 1 << 20);
        assertEquals(204, done.statusCode(), done.body());
        assertEquals(sha, TusClient.sha256(spool.resolve(id + ".cms")), "byte-identical");
    }

    @Test
    @Order(4)
    void aVanishedSpoolIsRefusedAndNothingIsDeleted() throws Exception {
        TusClient s1 = client(w.gw, "city-sender");
        TusClient s2 = client(gw2, "city-sender");
        String loc = create(s1);
        String id = idOf(loc);
        assertEquals(204, s1.patch(loc, envelope, 0, size / 2, false).statusCode());
        List<String> before = names(spool);

        Path away = spool.resolveSibling("spool-away");
        Files.move(spool, away); // the mount disappears
        try {
            HttpClient plain = HttpClient.newHttpClient();
            URI health = URI.create("http://127.0.0.1:" + gw2.gateway.health().port() + "/health");
            Awaitility.await("node 2's health says SPOOL_UNAVAILABLE")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> {
                        HttpResponse<String> h = plain.send(
                                HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                        return h.statusCode() == 503 && h.body().contains("SPOOL_UNAVAILABLE");
                    });
            // an empty PATCH: a 503 answer closes the connection, and a body still in flight could lose it to a reset
            HttpResponse<String> patch = s2.patchBytes(loc, size / 2, new byte[0], null);
            assertEquals(503, patch.statusCode(), patch.body());
            assertTrue(patch.body().contains("SPOOL_UNAVAILABLE"), patch.body());
            HttpResponse<String> created = s2.create(ROUTE, size, TusClient.metadata("x.cms", sha, 1));
            assertEquals(503, created.statusCode(), created.body());
            try (Connection c = w.pg.superuser();
                    Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE transfer SET expires_at = now() - interval '1 hour' WHERE id = '" + id + "'");
            }
            assertEquals(0, w.gw.gateway.transfers().sweep(), "no sweep while the spool is gone");
            assertFalse(w.gw.gateway.transfers().spoolAvailable());
            assertEquals(TransferState.UPLOADING, repo.find(id).orElseThrow().state());
            try (Connection c = w.pg.superuser();
                    Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE transfer SET expires_at = now() + interval '1 hour' WHERE id = '" + id + "'");
            }
        } finally {
            Files.move(away, spool); // the mount is back
        }
        assertEquals(before, names(spool), "nothing was deleted");
        Awaitility.await("both nodes serve again without a restart")
                .atMost(Duration.ofSeconds(10))
                .until(() -> w.gw.gateway.transfers().spoolAvailable()
                        && gw2.gateway.transfers().spoolAvailable());
        assertEquals(size / 2, s2.offset(loc));
        HttpResponse<String> done = s2.upload(loc, envelope, 1 << 20);
        assertEquals(204, done.statusCode(), done.body());
        assertEquals(sha, TusClient.sha256(spool.resolve(id + ".cms")), "resumed byte-identical");
    }

    @Test
    @Order(5)
    void aNodeWhoseSharedSpoolIsNotMountedRefusesToStart() throws Exception {
        Path cfg = GatewayFixture.writeConfig(
                dir.resolve("gw3"),
                w.pki,
                "gw3",
                TransferWorld.LISTENERS,
                TransferWorld.PRINCIPALS,
                "approvals:\n  seal-key: " + dir.resolve("gw/data/policy-seal.key") + "\n"
                        + "spool:\n  dir: " + dir.resolve("not-mounted") + "\n"
                        + w.storeYaml());
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = jp.sekisho.cli.CliErrors.configure(new picocli.CommandLine(new GatewayCommand()));
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("--config", cfg.toString());
        String line = err.toString().strip();
        assertEquals(2, code, line);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("共有スプールがマウントされていないか別のフォルダです"), line);
        assertTrue(line.contains("the shared spool is not mounted or is the wrong folder"), line);
        assertFalse(Files.exists(dir.resolve("not-mounted/.sekisho-spool")), "no marker is made for it");
    }

    @Test
    @Order(6)
    void theMarkerMustNameTheStoresSpool() throws Exception {
        var ds = w.gw.store.database().dataSource();
        String id = Files.readString(spool.resolve(SpoolIdentity.MARKER)).trim();
        assertEquals(id, SpoolIdentity.establish(spool, ds, "gw9"), "the mounted spool is the store's");
        Path other = Files.createDirectories(dir.resolve("other-spool"));
        Files.writeString(other.resolve(SpoolIdentity.MARKER), "another-spool\n");
        var refused = org.junit.jupiter.api.Assertions.assertThrows(
                jp.sekisho.gateway.config.ConfigException.class, () -> SpoolIdentity.establish(other, ds, "gw9"));
        assertTrue(refused.getMessage().contains("names spool another-spool"), refused.getMessage());
        assertTrue(refused.getMessage().contains("the store's spool id is " + id), refused.getMessage());
    }

    static List<String> names(Path folder) throws Exception {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Ends the database session of that application (a node's lock connection dying). */
    static void terminate(String application) throws Exception {
        try (Connection c = DriverManager.getConnection(w.pg.url(), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + application
                    + "'");
        }
    }

    /** A PATCH on a raw TLS socket that sends part of its body and stays open: an upload in progress. */
    static final class HeldPatch implements AutoCloseable {
        private final SSLSocket socket;

        HeldPatch(GatewayFixture node, String location, long from, long to, long send) throws Exception {
            socket = (SSLSocket) Tls.client(w.pki.dir().resolve("city-sender.p12"), w.pki.caFile())
                    .getSocketFactory()
                    .createSocket("127.0.0.1", node.gateway.port("transfer"));
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                            + "Upload-Offset: " + from + "\r\nContent-Type: application/offset+octet-stream\r\n"
                            + "Content-Length: " + (to - from) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = TusClient.slice(envelope, from, from + send)) {
                in.transferTo(out);
            }
            out.flush();
        }

        /** True once the gateway closed the connection (after an answer or without one). */
        boolean closedByGateway() {
            try {
                socket.setSoTimeout(100);
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                byte[] b = new byte[4096];
                while (true) {
                    int n = socket.getInputStream().read(b);
                    if (n < 0) {
                        return true;
                    }
                    seen.write(b, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (java.io.IOException e) {
                return true; // reset or TLS alert: closed as well
            }
        }

        /** Ends the body short and waits for the gateway to close: it keeps what arrived. */
        void finishAndClose() throws Exception {
            socket.shutdownOutput();
            try {
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (java.io.IOException closed) {
                // closed either way
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
