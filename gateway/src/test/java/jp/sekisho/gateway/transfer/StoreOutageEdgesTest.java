package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.support.PrivatePostgres;
import jp.sekisho.envelope.ContentCipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frozen (SIGSTOP), killed or restarted audit store is named on every entry point: tus POST, HEAD,
 * PATCH and DELETE, the payload, the acknowledgment, the receipt, and the admin API answer 503
 * AUDIT_UNAVAILABLE with Retry-After within the write timeout (+ margin), never 500 or a dropped
 * connection; once the store answers again the same calls work without restarting the gateway.
 * Runs against a private PostgreSQL this test starts (the shared server on 5432 is never stopped)
 * and against the embedded store.
 */
class StoreOutageEdgesTest {

    /** audit.write-timeout in these gateways. */
    static final long WRITE_TIMEOUT_MS = 2000;
    /**
     * What an answer may take beyond the write timeout: a query already on a pooled connection when
     * the server froze waits for the socket timeout (the write timeout, in whole seconds) on top.
     */
    static final long MARGIN_MS = 2500;

    @TempDir
    Path dir;

    @Test
    void aPrivateServerFrozenKilledAndStartedAgain() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create()) {
            String store = "store:\n  url: " + pg.url("postgres") + "\n  user: sekisho_app\n  owner-user: postgres\n"
                    + "audit:\n  write-timeout: " + WRITE_TIMEOUT_MS + "ms\n";
            try (TransferWorld w =
                    new TransferWorld(dir, TransferWorld.LISTENERS, TransferWorld.PRINCIPALS, List.of(), store)) {
                Calls calls = Calls.prepare(w);
                calls.allWork("before");

                pg.freeze();
                try {
                    calls.allRefused("frozen");
                } finally {
                    pg.thaw();
                }
                calls.awaitWorking();
                calls.allWork("thawed");

                pg.kill();
                calls.allRefused("killed");
                pg.start();
                calls.awaitWorking();
                calls.allWork("started again");
                calls.acknowledge();
                System.out.println(calls.report());
            }
        }
    }

    @Test
    void theEmbeddedStoreFrozenAndKilled() throws Exception {
        String store = "audit:\n  write-timeout: " + WRITE_TIMEOUT_MS + "ms\n";
        try (TransferWorld w =
                new TransferWorld(dir, TransferWorld.LISTENERS, TransferWorld.PRINCIPALS, List.of(), store)) {
            Path data = w.gw.dir.resolve("data").resolve("pg");
            Calls calls = Calls.prepare(w);
            calls.allWork("before");

            PrivatePostgres.signalCluster(data, "STOP");
            try {
                calls.allRefused("embedded frozen");
            } finally {
                PrivatePostgres.signalCluster(data, "CONT");
            }
            calls.awaitWorking();
            calls.allWork("embedded thawed");
            calls.acknowledge();

            PrivatePostgres.killCluster(data);
            calls.allRefused("embedded killed");
            System.out.println(calls.report());
        }
    }

    /** One request on an entry point and the status it answers while the store works. */
    @FunctionalInterface
    interface Send {
        HttpResponse<String> send() throws Exception;
    }

    /** @param fromMemory answered from the policy snapshot in memory, unaudited: needs no store, works during an outage */
    record Call(String name, int works, Send send, boolean fromMemory) {
        Call(String name, int works, Send send) {
            this(name, works, send, false);
        }
    }

    /** The entry points, on an upload in progress and a stored, downloaded transfer. */
    static final class Calls {
        final TransferWorld w;
        final TusClient sender;
        final TusClient receiver;
        final TusClient secretariat;
        final TusClient auditor;
        final Path envelope;
        final String sha;
        final String upload;
        final String id;
        final List<String> measured = new ArrayList<>();
        /** How far the upload in progress is. */
        long uploadOffset;

        private Calls(TransferWorld w, Path envelope, String upload, String id) throws Exception {
            this.w = w;
            this.sender = w.client("city-sender");
            this.receiver = w.client("contractor");
            this.secretariat = admin(w, "secretariat");
            this.auditor = admin(w, "auditor");
            this.envelope = envelope;
            this.sha = TusClient.sha256(envelope);
            this.upload = upload;
            this.id = id;
        }

        static TusClient admin(TransferWorld w, String who) throws Exception {
            return new TusClient(
                    "https://127.0.0.1:" + w.gw.gateway.port("admin"),
                    Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()));
        }

        static Calls prepare(TransferWorld w) throws Exception {
            w.approve("R-outage", 1000);
            w.routes("routes:\n" + TransferWorld.route("outage", "R-outage", null));
            Path envelope = w.seal("outage.cms", 200_000, "contractor-enc", ContentCipher.AES_256_GCM);
            TusClient sender = w.client("city-sender");
            String sha = TusClient.sha256(envelope);
            long size = Files.size(envelope);
            String meta = TusClient.metadata("outage.cms", sha, 1);
            // a transfer stored and downloaded once (so its acknowledgment can be tried)
            HttpResponse<String> created = sender.create("outage", size, meta);
            assertEquals(201, created.statusCode(), created.body());
            String done = created.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> last = sender.upload(done, envelope, size);
            assertEquals(204, last.statusCode(), last.body());
            String id = last.headers().firstValue(Tus.TRANSFER_ID).orElseThrow();
            HttpResponse<String> payload = w.client("contractor").get(payloadPath(id));
            assertEquals(200, payload.statusCode());
            // an upload in progress, for HEAD and PATCH
            HttpResponse<String> open = sender.create("outage", size, meta);
            assertEquals(201, open.statusCode(), open.body());
            return new Calls(w, envelope, open.headers().firstValue("Location").orElseThrow(), id);
        }

        static String payloadPath(String id) {
            return "/api/v1/routes/outage/transfers/" + id + "/payload";
        }

        List<Call> calls() {
            long size;
            try {
                size = Files.size(envelope);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String meta = TusClient.metadata("outage.cms", sha, 1);
            String wrongAck = "{\"sha256\":\"" + "0".repeat(64) + "\"}";
            return List.of(
                    new Call("tus POST", 201, () -> {
                        HttpResponse<String> r = sender.create("outage", size, meta);
                        if (r.statusCode() == 201) { // the DELETE below ends it again
                            delete(r.headers().firstValue("Location").orElseThrow());
                        }
                        return r;
                    }),
                    new Call("tus HEAD", 200, () -> sender.head(upload)),
                    new Call("tus PATCH", 204, () -> {
                        HttpResponse<String> r =
                                sender.patch(upload, envelope, uploadOffset, uploadOffset + 1000, false);
                        if (r.statusCode() == 204) {
                            uploadOffset = Long.parseLong(
                                    r.headers().firstValue("Upload-Offset").orElseThrow());
                        }
                        return r;
                    }),
                    new Call("tus DELETE", 204, () -> {
                        // while the store works: a fresh upload, so the one in progress survives
                        HttpResponse<String> r = sender.create("outage", size, meta);
                        String target = r.statusCode() == 201
                                ? r.headers().firstValue("Location").orElseThrow()
                                : upload;
                        return delete(target);
                    }),
                    new Call("payload GET", 200, () -> receiver.get(payloadPath(id))),
                    new Call("ack (wrong hash)", 409, () -> receiver.post(ackPath(), wrongAck)),
                    new Call(
                            "receipt GET", 200, () -> sender.get("/api/v1/routes/outage/transfers/" + id + "/receipt")),
                    new Call("admin approvals", 200, () -> secretariat.get("/api/v1/approvals")),
                    new Call("admin routes (from memory)", 200, () -> secretariat.get("/api/v1/routes"), true),
                    new Call("admin audit search", 200, () -> auditor.get("/api/v1/audit/events?limit=5")),
                    new Call("admin audit export", 200, () -> auditor.get("/api/v1/audit/export")));
        }

        String ackPath() {
            return "/api/v1/routes/outage/transfers/" + id + "/ack";
        }

        HttpResponse<String> delete(String location) throws Exception {
            return sender.http.send(
                    HttpRequest.newBuilder(URI.create(sender.base + location))
                            .header("Tus-Resumable", "1.0.0")
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Every call answers as it should while the store works. */
        void allWork(String phase) throws Exception {
            for (Call c : calls()) {
                HttpResponse<String> r = timed(c);
                assertEquals(c.works(), r.statusCode(), phase + ": " + c.name() + ": " + r.body());
            }
        }

        /** Every call answers 503 AUDIT_UNAVAILABLE with Retry-After within the write timeout + margin. */
        void allRefused(String phase) throws Exception {
            for (Call c : calls()) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = timed(c);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                String line = phase + " | " + c.name() + " | " + r.statusCode() + " | " + ms + " ms";
                measured.add(line);
                System.out.println("outage: " + line);
                if (c.fromMemory()) {
                    assertEquals(c.works(), r.statusCode(), phase + ": " + c.name() + ": " + r.body());
                    continue;
                }
                assertEquals(503, r.statusCode(), phase + ": " + c.name() + ": " + r.body());
                if (!r.request().method().equals("HEAD")) { // a HEAD answer has no body
                    assertEquals(
                            "AUDIT_UNAVAILABLE",
                            Json.parseObject(r.body()).get("reason"),
                            phase + ": " + c.name() + ": " + r.body());
                }
                assertTrue(
                        r.headers().firstValue("Retry-After").isPresent(),
                        phase + ": " + c.name() + ": " + r.headers());
                assertTrue(
                        ms <= WRITE_TIMEOUT_MS + MARGIN_MS,
                        phase + ": " + c.name() + " answered within the write timeout + margin: " + ms + " ms");
            }
        }

        /** Waits until the store answers the gateway again (the writer reconnects by itself). */
        void awaitWorking() {
            await("the gateway works again without a restart")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(() -> secretariat.get("/api/v1/approvals").statusCode() == 200);
        }

        /** The acknowledgment with the right hash, once the store works. */
        void acknowledge() throws Exception {
            HttpResponse<String> ack = receiver.post(ackPath(), "{\"sha256\":\"" + sha + "\"}");
            assertEquals(200, ack.statusCode(), ack.body());
        }

        /** The call on its own thread: a hang fails the test instead of stopping it. */
        static HttpResponse<String> timed(Call c) throws Exception {
            CompletableFuture<HttpResponse<String>> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.send().send();
                } catch (Exception e) {
                    throw new IllegalStateException(c.name() + ": " + e, e);
                }
            });
            return f.get(WRITE_TIMEOUT_MS + MARGIN_MS + 30_000, TimeUnit.MILLISECONDS);
        }

        String report() {
            return "phase | call | status | time\n" + String.join("\n", measured);
        }
    }
}
