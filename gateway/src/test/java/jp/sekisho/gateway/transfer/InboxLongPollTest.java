package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.envelope.ContentCipher;
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
 * Issue 18: the inbox long-poll ({@code GET /api/v1/routes/{route}/inbox?wait=…}) on two gateway nodes
 * (gw1, gw2) sharing one PostgreSQL database and spool. A held listing answers as soon as a transfer
 * of its route is stored on either node, and the empty list when the wait ends; a malformed wait and
 * a refused caller are answered at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboxLongPollTest {

    static final String ROUTE = "poll";
    static final String INBOX = "/api/v1/routes/" + ROUTE + "/inbox";

    /** Far longer than any wake-up should take, far shorter than the wait: a late wake-up fails, a slow machine does not. */
    static final Duration WAKE_WITHIN = Duration.ofSeconds(10);

    static final int LONG_WAIT_SECONDS = 40;

    @TempDir
    static Path dir;

    static TransferWorld w;
    static GatewayFixture gw2;
    static Path envelope;
    static String sha;
    static long size;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-poll", 1000);
        w.routes("routes:\n" + TransferWorld.route(ROUTE, "R-poll", "64MiB"));
        gw2 = GatewayFixture.start(
                dir.resolve("gw2"),
                w.pki,
                "gw2",
                TransferWorld.LISTENERS,
                TransferWorld.PRINCIPALS,
                "approvals:\n  seal-key: " + dir.resolve("gw/data/policy-seal.key") + "\n"
                        + "spool:\n  dir: " + dir.resolve("gw/data/spool") + "\n"
                        + w.storeYaml());
        envelope = w.seal("poll.cms", 200_000, "contractor-enc", ContentCipher.AES_256_GCM);
        sha = TusClient.sha256(envelope);
        size = Files.size(envelope);
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

    /** A listing sent now and answered later; the time it was answered is taken when its body is in. */
    record Held(CompletableFuture<HttpResponse<String>> answer, CompletableFuture<Long> answeredAt, long sentAt) {}

    static Held hold(GatewayFixture node, int waitSeconds) throws Exception {
        TusClient c = client(node, "contractor");
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> r = c.http.sendAsync(
                HttpRequest.newBuilder(URI.create(c.base + INBOX + "?wait=" + waitSeconds + "s"))
                        .timeout(Duration.ofSeconds(waitSeconds + 30L))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Held(r, r.thenApply(x -> System.nanoTime()), sent);
    }

    /** Uploads the envelope through {@code node}; returns the transfer id and when the last PATCH was answered. */
    static String[] upload(GatewayFixture node) throws Exception {
        TusClient s = client(node, "city-sender");
        HttpResponse<String> created = s.create(ROUTE, size, TusClient.metadata("poll.cms", sha, 10));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> done =
                s.upload(created.headers().firstValue("Location").orElseThrow(), envelope, 1 << 20);
        assertEquals(204, done.statusCode(), done.body());
        return new String[] {done.headers().firstValue(Tus.TRANSFER_ID).orElseThrow(), Long.toString(System.nanoTime())
        };
    }

    static void acknowledge(String id) throws Exception {
        HttpResponse<String> ack = client(w.gw, "contractor")
                .post("/api/v1/routes/" + ROUTE + "/transfers/" + id + "/ack", "{\"sha256\":\"" + sha + "\"}");
        assertEquals(200, ack.statusCode(), ack.body());
    }

    /** Waits until {@code node} holds {@code n} listings (the request reached the wait, past admission). */
    static void awaitWaiters(GatewayFixture node, int n) {
        Awaitility.await("the listing is held")
                .atMost(Duration.ofSeconds(15))
                .until(() -> node.gateway.transfers().inboxWaiters() == n);
    }

    static void assertWokenBy(Held h, String[] stored) throws Exception {
        HttpResponse<String> r = h.answer().get(LONG_WAIT_SECONDS + 30L, TimeUnit.SECONDS);
        long answered = h.answeredAt().get();
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"transferId\":\"" + stored[0] + "\""), r.body());
        assertEquals(
                Integer.toString(LONG_WAIT_SECONDS),
                r.headers().firstValue(DeliveryController.INBOX_WAIT).orElse(null));
        Duration afterStore = Duration.ofNanos(answered - Long.parseLong(stored[1]));
        Duration held = Duration.ofNanos(answered - h.sentAt());
        assertTrue(
                held.compareTo(Duration.ofSeconds(LONG_WAIT_SECONDS)) < 0, "answered before the wait ended: " + held);
        assertTrue(afterStore.compareTo(WAKE_WITHIN) < 0, "answered " + afterStore + " after the upload completed");
        System.out.printf(
                "inbox long-poll: answered %d ms after the upload's last PATCH was answered%n", afterStore.toMillis());
    }

    /** How many REQUEST_ALLOWED events name this request. */
    static long auditedTimes(String requestId) throws Exception {
        assertTrue(w.gw.awaitEvent(
                        EventType.REQUEST_ALLOWED,
                        e -> requestId.equals(e.event().requestId()))
                != null);
        w.gw.store.postgresLog().flush(Duration.ofSeconds(5));
        return w
                .gw
                .store
                .reader()
                .search(
                        AuditQuery.all()
                                .types(Set.of(EventType.REQUEST_ALLOWED))
                                .limit(10_000),
                        GatewayFixture.TEST_READER)
                .stream()
                .filter(e -> requestId.equals(e.event().requestId()))
                .count();
    }

    @Test
    @Order(1)
    void aWaitOutOfBoundsIsRefusedAtOnce() throws Exception {
        TusClient c = client(w.gw, "contractor");
        for (String bad : new String[] {"61s", "61", "100000ms", "-1", "25m", "abc", "", "1.5"}) {
            HttpResponse<String> r = c.get(INBOX + "?wait=" + bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertTrue(r.body().contains("INBOX_WAIT_INVALID"), r.body());
        }
        HttpResponse<String> ok = c.get(INBOX + "?wait=0");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("[]", ok.body());
        assertEquals("0", ok.headers().firstValue(DeliveryController.INBOX_WAIT).orElse(null));
    }

    @Test
    @Order(2)
    void aRefusedCallerIsRefusedBeforeAnyWait() throws Exception {
        for (String who : new String[] {"other-receiver", "city-sender", "auditor"}) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = client(w.gw, who).get(INBOX + "?wait=" + LONG_WAIT_SECONDS + "s");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertEquals(403, r.statusCode(), who + ": " + r.body());
            assertTrue(took.compareTo(Duration.ofSeconds(LONG_WAIT_SECONDS / 2)) < 0, who + " was held " + took);
        }
        assertEquals(0, w.gw.gateway.transfers().inboxWaiters());
    }

    @Test
    @Order(3)
    void nothingArrivingAnswersTheEmptyListWhenTheWaitEnds() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = client(w.gw, "contractor").get(INBOX + "?wait=2s");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[]", r.body());
        assertEquals("2", r.headers().firstValue(DeliveryController.INBOX_WAIT).orElse(null));
        assertTrue(took.compareTo(Duration.ofMillis(1900)) >= 0, "held for the wait: " + took);
        assertEquals(0, w.gw.gateway.transfers().inboxWaiters(), "the waiter is gone");
    }

    @Test
    @Order(4)
    void anUploadOnTheSameNodeWakesTheWaiter() throws Exception {
        Held h = hold(w.gw, LONG_WAIT_SECONDS);
        awaitWaiters(w.gw, 1);
        String[] stored = upload(w.gw);
        assertWokenBy(h, stored);
        assertEquals(0, w.gw.gateway.transfers().inboxWaiters());
        String requestId = h.answer().get().headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals(1, auditedTimes(requestId), "the held listing is one audited access");

        // a transfer waiting already: answered at once, not held
        long t0 = System.nanoTime();
        HttpResponse<String> again = client(w.gw, "contractor").get(INBOX + "?wait=" + LONG_WAIT_SECONDS);
        assertTrue(again.body().contains(stored[0]), again.body());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(LONG_WAIT_SECONDS / 2)) < 0);
        acknowledge(stored[0]);
    }

    @Test
    @Order(5)
    void anUploadOnAnotherNodeWakesTheWaiter() throws Exception {
        Awaitility.await("node 1 hears the inbox channel")
                .atMost(Duration.ofSeconds(15))
                .until(() -> w.gw.gateway.transfers().inboxNoticesLive());
        Held h = hold(w.gw, LONG_WAIT_SECONDS);
        awaitWaiters(w.gw, 1);
        String[] stored = upload(gw2);
        assertWokenBy(h, stored);
        acknowledge(stored[0]);
    }

    @Test
    @Order(6)
    void aDroppedNotificationConnectionLosesNoWakeUp() throws Exception {
        TransferService t1 = w.gw.gateway.transfers();
        Held h = hold(w.gw, LONG_WAIT_SECONDS);
        awaitWaiters(w.gw, 1);
        // the notification connection drops: node 1 misses gw2's NOTIFY unless it re-checks
        t1.dropInboxNotices();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !t1.inboxNoticesLive());
        String[] stored = upload(gw2);
        assertWokenBy(h, stored);
        acknowledge(stored[0]);
        Awaitility.await("the notification connection is back")
                .atMost(Duration.ofSeconds(30))
                .until(t1::inboxNoticesLive);
    }

    @Test
    @Order(7)
    void aStoppingNodeReleasesItsWaiters() throws Exception {
        Held h = hold(gw2, LONG_WAIT_SECONDS);
        awaitWaiters(gw2, 1);
        gw2.gateway.transfers().close(); // what the node's shutdown does to the transfer service
        HttpResponse<String> r = h.answer().get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[]", r.body());
        assertFalse(
                Duration.ofNanos(h.answeredAt().get() - h.sentAt()).compareTo(Duration.ofSeconds(LONG_WAIT_SECONDS))
                        >= 0,
                "released before its wait ended");
    }
}
