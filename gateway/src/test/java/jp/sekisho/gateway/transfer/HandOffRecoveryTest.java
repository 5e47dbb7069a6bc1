package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.GatewayCommand;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.support.GatewayFixture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, items 3 and 4 on the gateway: a crash between the acknowledgment and the purge, or
 * after an upload's last byte but before it was recorded STORED, is completed by the next start
 * with each event recorded once. A second gateway node runs in its own JVM on the shared database;
 * it is killed with SIGKILL, and the states its crash leaves at points no kill can hit reliably
 * (between an audit commit and the row update that follows it) are made with the repository, the
 * audit log and the spool files exactly as the crash leaves them. Then it starts again.
 */
class HandOffRecoveryTest {

    static final String ROUTE = "rec";

    @TempDir
    static Path dir;

    static TransferWorld w;
    static Path childDir;
    static Path spool;
    static TransferRepository repo;
    static Path envelope;
    static String sha;
    static long size;
    static Child child;
    static TusClient sender;
    static TusClient receiver;
    static long firstStartMillis;
    static long restartMillis;

    /** Transfers left by the crash, by what the crash interrupted. */
    static final Map<String, String> ids = new TreeMap<>();

    @BeforeAll
    static void crashAndRestart() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-rec", 1000);
        w.routes("routes:\n" + TransferWorld.route(ROUTE, "R-rec", "64MiB"));
        childDir = Files.createDirectories(dir.resolve("child"));
        spool = dir.resolve("gw/data/spool");
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
                        + "approvals:\n  seal-key: " + dir.resolve("gw/data/policy-seal.key") + "\n"
                        // one spool folder shared by the nodes of one store
                        + "spool:\n  dir: " + dir.resolve("gw/data/spool") + "\n"
                        + w.storeYaml());
        repo = new TransferRepository(w.gw.store.database().dataSource());
        envelope = w.seal("rec.cms", 300_000, "contractor-enc", ContentCipher.AES_256_GCM);
        sha = TusClient.sha256(envelope);
        size = Files.size(envelope);

        long s0 = System.nanoTime();
        child = startChild();
        firstStartMillis = (System.nanoTime() - s0) / 1_000_000;
        sender = client("city-sender");
        receiver = client("contractor");
        // acknowledgments the crash interrupted: each transfer stored and downloaded (DELIVERED) first
        for (String name : new String[] {"ackEventOnly", "ackRow", "ackRowFileGone", "ackPurgedEvent", "oldOrder"}) {
            ids.put(name, delivered());
        }
        // uploads whose last byte the crash left unchecked: all but the last bytes sent before it
        for (String name : new String[] {"lastByteIn", "promoted", "storedEvent", "wrongHash"}) {
            ids.put(name, partial(name.equals("wrongHash") ? "f".repeat(64) : sha));
        }
        ids.put("deferred", partialDeferred());
        child.process().destroyForcibly(); // SIGKILL
        assertTrue(child.process().waitFor(30, TimeUnit.SECONDS));

        TransferEvents gw2Events = new TransferEvents(w.gw.store.log(), "gw2");
        ReceiptSigner gw2Signer =
                new ReceiptSigner(AuditSigningKey.loadOrCreate(childDir.resolve("data/audit-signing.key")));
        // crash after TRANSFER_ACKNOWLEDGED was committed, before the row said so
        commit(gw2Events, EventType.TRANSFER_ACKNOWLEDGED, ids.get("ackEventOnly"));
        // crash after the row was ACKNOWLEDGED, before the spool file was deleted
        acknowledgeRow(gw2Events, gw2Signer, ids.get("ackRow"));
        // crash after the file was deleted, before TRANSFER_PURGED
        acknowledgeRow(gw2Events, gw2Signer, ids.get("ackRowFileGone"));
        Files.delete(spool.resolve(ids.get("ackRowFileGone") + ".cms"));
        // crash after TRANSFER_PURGED, before the row was PURGED
        acknowledgeRow(gw2Events, gw2Signer, ids.get("ackPurgedEvent"));
        Files.delete(spool.resolve(ids.get("ackPurgedEvent") + ".cms"));
        commit(gw2Events, EventType.TRANSFER_PURGED, ids.get("ackPurgedEvent"));
        // what a gateway before this change left (event, file deleted, row still DELIVERED): the report
        commit(gw2Events, EventType.TRANSFER_ACKNOWLEDGED, ids.get("oldOrder"));
        commit(gw2Events, EventType.TRANSFER_PURGED, ids.get("oldOrder"));
        Files.delete(spool.resolve(ids.get("oldOrder") + ".cms"));

        // the last PATCH's bytes are in and its offset recorded; the crash came during the envelope check
        for (String name : new String[] {"lastByteIn", "promoted", "storedEvent", "wrongHash"}) {
            lastBytesIn(ids.get(name));
        }
        // ... or after the promotion to .cms, or after TRANSFER_STORED was committed
        Files.move(spool.resolve(ids.get("promoted") + ".part"), spool.resolve(ids.get("promoted") + ".cms"));
        Files.move(spool.resolve(ids.get("storedEvent") + ".part"), spool.resolve(ids.get("storedEvent") + ".cms"));
        commit(gw2Events, EventType.TRANSFER_STORED, ids.get("storedEvent"));
        // deferred length: the last PATCH declared length and hash (recorded before its body), then its body came
        Transfer d = repo.find(ids.get("deferred")).orElseThrow();
        assertTrue(repo.declare(d.id(), size, sha, Instant.now()));
        lastBytesIn(d.id());

        long t0 = System.nanoTime();
        child = startChild();
        restartMillis = (System.nanoTime() - t0) / 1_000_000;
        sender = client("city-sender");
        receiver = client("contractor");
    }

    @AfterAll
    static void stop() throws Exception {
        if (child != null) {
            child.process().destroy();
            child.process().waitFor(20, TimeUnit.SECONDS);
        }
        w.close();
    }

    @Test
    void anAcknowledgmentInterruptedAnywhereEndsPurgedWithEachEventOnce() throws Exception {
        for (String name : new String[] {"ackEventOnly", "ackRow", "ackRowFileGone", "ackPurgedEvent", "oldOrder"}) {
            String id = ids.get(name);
            Transfer t = repo.find(id).orElseThrow();
            assertEquals(TransferState.PURGED, t.state(), name);
            assertNull(t.reason(), name);
            assertTrue(t.receipt().contains("\"state\":\"ACKNOWLEDGED\""), name + ": " + t.receipt());
            assertTrue(ReceiptSigner.verifyReceipt(gw2Key(), t.receipt()), name + ": signed by gw2");
            assertFalse(Files.exists(spool.resolve(id + ".cms")), name + ": spool file purged");
            Map<String, Integer> events = events(id);
            assertEquals(1, count(events, "TRANSFER_ACKNOWLEDGED"), name + " " + events);
            assertEquals(1, count(events, "TRANSFER_PURGED"), name + " " + events);
            assertEquals(0, count(events, "TRANSFER_ABORTED"), name + " " + events);
        }
        assertAuditIntact();
    }

    @Test
    void theReceiversRepeatedAcknowledgmentGetsTheSameReceiptAndRecordsNothingTwice() throws Exception {
        // one that recovery completed, and one acknowledged now
        String recovered = ids.get("ackRow");
        String fresh = delivered();
        HttpResponse<String> first = ack(fresh, sha);
        assertEquals(200, first.statusCode(), first.body());
        for (String id : new String[] {recovered, fresh}) {
            String receipt = repo.find(id).orElseThrow().receipt();
            HttpResponse<String> again = ack(id, sha.toUpperCase(java.util.Locale.ROOT));
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(receipt, again.body(), "the same final receipt");
            HttpResponse<String> wrong = ack(id, "0".repeat(64));
            assertEquals(409, wrong.statusCode(), wrong.body());
            assertTrue(wrong.body().contains("ACK_HASH_MISMATCH"), wrong.body());
            Map<String, Integer> events = events(id);
            assertEquals(1, count(events, "TRANSFER_ACKNOWLEDGED"), events.toString());
            assertEquals(1, count(events, "TRANSFER_PURGED"), events.toString());
            assertEquals(TransferState.PURGED, repo.find(id).orElseThrow().state());
        }
        assertEquals(first.body(), repo.find(fresh).orElseThrow().receipt());
    }

    @Test
    void anUploadWhoseLastByteWasInIsCheckedAtStartAndTheSenderFinishes() throws Exception {
        for (String name : new String[] {"lastByteIn", "promoted", "storedEvent", "deferred"}) {
            String id = ids.get(name);
            Transfer t = repo.find(id).orElseThrow();
            assertEquals(TransferState.STORED, t.state(), name);
            assertEquals(sha, TusClient.sha256(spool.resolve(id + ".cms")), name + ": byte-identical");
            assertFalse(Files.exists(spool.resolve(id + ".part")), name);
            assertEquals(1, count(id, "TRANSFER_STORED"), name + " " + events(id));
            // what the sender that lost its last answer does: HEAD, then the empty PATCH at the length, then the
            // receipt
            String loc = Tus.location(ROUTE, id);
            HttpResponse<String> head = sender.head(loc);
            assertEquals(200, head.statusCode(), head.body());
            assertEquals(
                    Long.toString(size),
                    head.headers().firstValue("Upload-Offset").orElse(null),
                    name);
            assertEquals(
                    Long.toString(size),
                    head.headers().firstValue("Upload-Length").orElse(null),
                    name);
            assertEquals(id, head.headers().firstValue(Tus.TRANSFER_ID).orElse(null), name);
            HttpResponse<String> done = sender.patch(loc, size, new byte[0]);
            assertEquals(204, done.statusCode(), done.body());
            assertEquals(id, done.headers().firstValue(Tus.TRANSFER_ID).orElse(null), name);
            assertEquals(
                    Long.toString(size),
                    done.headers().firstValue("Upload-Offset").orElse(null),
                    name);
            HttpResponse<String> receipt = sender.get("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/receipt");
            assertEquals(200, receipt.statusCode(), receipt.body());
            assertTrue(receipt.body().contains("\"state\":\"STORED\""), receipt.body());
            assertTrue(ReceiptSigner.verifyReceipt(gw2Key(), receipt.body()), name);
            assertEquals(1, count(id, "TRANSFER_STORED"), name + " " + events(id));
        }
        // the deferred upload's completing PATCH repeats its declarations; a different hash is refused
        String deferred = Tus.location(ROUTE, ids.get("deferred"));
        HttpResponse<String> repeated = sender.patch(
                deferred, size, new byte[0], "Upload-Length", Long.toString(size), Tus.ENVELOPE_SHA256, sha);
        assertEquals(204, repeated.statusCode(), repeated.body());
        assertEquals(
                ids.get("deferred"),
                repeated.headers().firstValue(Tus.TRANSFER_ID).orElse(null));
        HttpResponse<String> otherSha = sender.patch(
                deferred, size, new byte[0], "Upload-Length", Long.toString(size), Tus.ENVELOPE_SHA256, "e".repeat(64));
        assertEquals(400, otherSha.statusCode(), otherSha.body());
        assertTrue(otherSha.body().contains("SHA256_MISMATCH"), otherSha.body());
        // a PATCH with bytes past the length of a stored upload is still refused
        HttpResponse<String> more = sender.patch(Tus.location(ROUTE, ids.get("lastByteIn")), size, new byte[1]);
        assertEquals(409, more.statusCode(), more.body());
        assertTrue(more.body().contains("OFFSET_MISMATCH"), more.body());

        String rejected = ids.get("wrongHash");
        Transfer r = repo.find(rejected).orElseThrow();
        assertEquals(TransferState.REJECTED, r.state());
        assertEquals("PAYLOAD_HASH_MISMATCH", r.reason());
        // TRANSFER_REJECTED is queued (record), not committed: it is written with the next batch
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count(rejected, "TRANSFER_REJECTED") > 0);
        assertEquals(1, count(rejected, "TRANSFER_REJECTED"), events(rejected).toString());
        assertEquals(0, count(rejected, "TRANSFER_STORED"));
        assertTrue(w.spoolFiles(childDir.resolve("data"), rejected).isEmpty());
        assertEquals(404, sender.head(Tus.location(ROUTE, rejected)).statusCode());
        assertAuditIntact();
        System.out.printf(
                "recovery: gateway JVM started in %d ms with an empty spool, restarted in %d ms with 5 acknowledgments"
                        + " and 5 complete uploads (%d bytes each) to finish%n",
                firstStartMillis, restartMillis, size);
    }

    /**
     * The live gateway, no restart: the last PATCH's bytes and offset were recorded but its
     * envelope check failed (as when it threw). HEAD reports the whole length without a transfer
     * id; the empty PATCH at the length checks it again and stores it; the same PATCH again is
     * answered alike.
     */
    @Test
    void anUploadLeftCompleteButUncheckedIsFinishedByTheEmptyPatch() throws Exception {
        TusClient live = w.client("city-sender");
        Path liveSpool = w.gw.dir.resolve("data/spool");
        // promoted: the check had moved it to .cms, its STORED failed and moving it back failed too
        for (boolean promoted : new boolean[] {false, true}) {
            String loc = leftCompleteUnchecked(live, "live.cms");
            String id = loc.substring(loc.lastIndexOf('/') + 1);
            if (promoted) {
                Files.move(liveSpool.resolve(id + ".part"), liveSpool.resolve(id + ".cms"));
            }

            HttpResponse<String> head = live.head(loc);
            assertEquals(
                    Long.toString(size),
                    head.headers().firstValue("Upload-Offset").orElse(null));
            assertTrue(head.headers().firstValue(Tus.TRANSFER_ID).isEmpty(), "not stored yet");
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> done = live.patch(loc, size, new byte[0]);
                assertEquals(204, done.statusCode(), done.body());
                assertEquals(id, done.headers().firstValue(Tus.TRANSFER_ID).orElse(null));
            }
            assertEquals(TransferState.STORED, repo.find(id).orElseThrow().state());
            assertEquals(sha, TusClient.sha256(liveSpool.resolve(id + ".cms")));
            assertFalse(Files.exists(liveSpool.resolve(id + ".part")));
            assertEquals(1, count(id, "TRANSFER_STORED"), events(id).toString());
        }
    }

    /**
     * The live gateway: an upload left complete but unchecked meets the sender's empty PATCH and a
     * second check at once (this node's sweep, whose look came just before the PATCH began: the
     * cluster lock is re-entrant within a node). The second check stores it first; the PATCH, which
     * checks the same bytes, answers the sender with that transfer instead of TRANSFER_UNKNOWN, the
     * stored envelope stays, and TRANSFER_STORED is recorded once. A sweep meanwhile leaves the upload
     * to its PATCH.
     */
    @Test
    void aCompletionThatFindsItsUploadStoredByAnotherCheckAnswersWithIt() throws Exception {
        TusClient live = w.client("city-sender");
        Path liveSpool = w.gw.dir.resolve("data/spool");
        String loc = leftCompleteUnchecked(live, "twice.cms");
        String id = loc.substring(loc.lastIndexOf('/') + 1);
        Transfer t = repo.find(id).orElseThrow();

        TransferService transfers = w.gw.gateway.transfers();
        PolicySnapshot policy = w.gw.gateway.policy().watcher().current();
        Caller sender =
                new Caller(new AuditPrincipal(t.senderSubject(), "01", t.senderSha256()), "127.0.0.1", 1, 1, "t");
        Upload patch = transfers.beginPatch(
                sender,
                new Admitted(policy.routes().get(ROUTE), policy.approvals().get(t.approvalRef())),
                id,
                size,
                null,
                Tus.declaration(null, null),
                false,
                () -> {});
        transfers.sweep();
        assertEquals(TransferState.UPLOADING, repo.find(id).orElseThrow().state(), "the sweep leaves it to the PATCH");

        transfers.recheck(repo.find(id).orElseThrow());
        assertEquals(TransferState.STORED, repo.find(id).orElseThrow().state());
        Transfer answered = patch.finish();
        assertEquals(id, answered.id());
        assertEquals(TransferState.STORED, answered.state());
        assertEquals(sha, TusClient.sha256(liveSpool.resolve(id + ".cms")), "the stored envelope stays");
        assertFalse(Files.exists(liveSpool.resolve(id + ".part")));
        assertEquals(1, count(id, "TRANSFER_STORED"), events(id).toString());
        HttpResponse<String> again = live.patch(loc, size, new byte[0]);
        assertEquals(204, again.statusCode(), again.body());
        assertEquals(id, again.headers().firstValue(Tus.TRANSFER_ID).orElse(null));
    }

    /**
     * The live gateway, no restart: an acknowledgment recorded whose purge did not complete (the
     * audit store was away for TRANSFER_PURGED) is completed by the sweep.
     */
    @Test
    void theSweepCompletesAPurgeLeftUnfinished() throws Exception {
        TusClient live = w.client("city-sender");
        HttpResponse<String> created = live.create(ROUTE, size, TusClient.metadata("sweep.cms", sha, 7));
        String loc = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> r = live.patch(loc, envelope, 0, size, false);
        assertEquals(204, r.statusCode(), r.body());
        String id = r.headers().firstValue(Tus.TRANSFER_ID).orElseThrow();
        acknowledgeRow(
                new TransferEvents(w.gw.store.log(), "gw1"),
                w.gw.gateway.transfers().signer(),
                id,
                "gw1");
        Path cms = w.gw.dir.resolve("data/spool").resolve(id + ".cms");
        assertTrue(Files.exists(cms));

        w.gw.gateway.transfers().sweep();
        assertEquals(TransferState.PURGED, repo.find(id).orElseThrow().state());
        assertFalse(Files.exists(cms));
        assertEquals(1, count(id, "TRANSFER_ACKNOWLEDGED"));
        assertEquals(1, count(id, "TRANSFER_PURGED"));
        HttpResponse<String> again = w.client("contractor")
                .post("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/ack", "{\"sha256\":\"" + sha + "\"}");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(repo.find(id).orElseThrow().receipt(), again.body());
        assertEquals(1, count(id, "TRANSFER_PURGED"));
    }

    // --- the crash states ---

    /** An upload stored and downloaded whole (DELIVERED) on the child gateway. */
    static String delivered() throws Exception {
        HttpResponse<String> created = sender.create(ROUTE, size, TusClient.metadata("rec.cms", sha, 7));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> r = sender.patch(loc, envelope, 0, size, false);
        assertEquals(204, r.statusCode(), r.body());
        String id = r.headers().firstValue(Tus.TRANSFER_ID).orElseThrow();
        HttpResponse<InputStream> d =
                receiver.download("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/payload", null);
        assertEquals(200, d.statusCode());
        try (InputStream in = d.body()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> repo.find(id).orElseThrow().state() == TransferState.DELIVERED);
        return id;
    }

    /** An upload with all but its last 1000 bytes written. */
    static String partial(String declaredSha) throws Exception {
        HttpResponse<String> created = sender.create(ROUTE, size, TusClient.metadata("part.cms", declaredSha, 7));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> r = sender.patch(loc, envelope, 0, size - 1000, false);
        assertEquals(204, r.statusCode(), r.body());
        return loc.substring(loc.lastIndexOf('/') + 1);
    }

    /** A deferred-length upload (length and hash not declared) with all but its last 1000 bytes written. */
    static String partialDeferred() throws Exception {
        HttpResponse<String> created = sender.createDeferred(ROUTE, TusClient.metadata("deferred.cms", null, 7));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> r = sender.patch(loc, envelope, 0, size - 1000, false);
        assertEquals(204, r.statusCode(), r.body());
        return loc.substring(loc.lastIndexOf('/') + 1);
    }

    /**
     * An upload of the live gateway whose last PATCH's bytes and offset were recorded but whose
     * envelope check never ran (it threw, or its node died): all bytes in, still UPLOADING. Its URL.
     */
    static String leftCompleteUnchecked(TusClient live, String filename) throws Exception {
        HttpResponse<String> created = live.create(ROUTE, size, TusClient.metadata(filename, sha, 7));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        String id = loc.substring(loc.lastIndexOf('/') + 1);
        assertEquals(204, live.patch(loc, envelope, 0, size - 1000, false).statusCode());
        appendTail(w.gw.dir.resolve("data/spool").resolve(id + ".part"));
        Transfer t = repo.find(id).orElseThrow();
        assertTrue(repo.advance(id, t.offset(), size, Instant.now(), t.expiresAt()));
        return loc;
    }

    /** The last PATCH's bytes made durable and its offset recorded, as {@code Upload.finish} does before the check. */
    static void lastBytesIn(String id) throws Exception {
        appendTail(spool.resolve(id + ".part"));
        Transfer t = repo.find(id).orElseThrow();
        assertTrue(repo.advance(id, t.offset(), size, Instant.now(), t.expiresAt()));
    }

    static void appendTail(Path part) throws Exception {
        assertEquals(size - 1000, Files.size(part));
        try (InputStream in = TusClient.slice(envelope, size - 1000, size);
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.APPEND)) {
            in.transferTo(out);
        }
    }

    static void commit(TransferEvents events, EventType type, String id) {
        Transfer t = repo.find(id).orElseThrow();
        events.log().commit(events.event(type, Outcome.ALLOW, t, null).build());
    }

    /** TRANSFER_ACKNOWLEDGED committed and the row ACKNOWLEDGED with its final receipt, as the gateway does. */
    static void acknowledgeRow(TransferEvents events, ReceiptSigner signer, String id) {
        acknowledgeRow(events, signer, id, "gw2");
    }

    static void acknowledgeRow(TransferEvents events, ReceiptSigner signer, String id, String node) {
        commit(events, EventType.TRANSFER_ACKNOWLEDGED, id);
        Transfer t = repo.find(id).orElseThrow();
        Instant now = Instant.now();
        assertTrue(repo.markAcknowledged(
                id, now, Receipts.receipt(t, TransferState.ACKNOWLEDGED.name(), t.storedAt(), now, node, signer)));
    }

    // --- checks ---

    /** How many events of each type the audit store holds for the transfer (every node's chain). */
    static Map<String, Integer> events(String id) throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = w.gw.store.database().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT event_type, count(*) FROM audit_event WHERE transfer_id = ? GROUP BY event_type")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return out;
    }

    static int count(String id, String type) throws Exception {
        return count(events(id), type);
    }

    static int count(Map<String, Integer> events, String type) {
        return events.getOrDefault(type, 0);
    }

    static java.security.PublicKey gw2Key() throws Exception {
        return AuditSigningKey.loadOrCreate(childDir.resolve("data/audit-signing.key"))
                .publicKey();
    }

    static void assertAuditIntact() throws Exception {
        w.gw.store.postgresLog().flush(Duration.ofSeconds(10));
        assertInstanceOf(
                VerifyResult.Ok.class,
                w.gw.store.reader().verify(gw2Key(), "gw2", GatewayFixture.TEST_READER),
                "gw2's chain");
        assertInstanceOf(
                VerifyResult.Ok.class,
                w.gw.store.reader().verify(w.gw.store.signingKey().publicKey(), "gw1", GatewayFixture.TEST_READER),
                "gw1's chain");
    }

    static HttpResponse<String> ack(String id, String hash) throws Exception {
        return receiver.post("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/ack", "{\"sha256\":\"" + hash + "\"}");
    }

    static TusClient client(String who) throws Exception {
        return new TusClient(
                "https://127.0.0.1:" + child.port(), Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()));
    }

    /** A gateway JVM (node gw2) on the shared database; returns it and its transfer port once it listens. */
    record Child(Process process, int port) {}

    static Child startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx256m",
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
                }
            } catch (Exception ignored) {
                // process ended
            }
            synchronized (seen) {
                port.completeExceptionally(new IllegalStateException("gateway JVM ended:\n" + seen));
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Child(p, port.get(90, TimeUnit.SECONDS));
    }
}
