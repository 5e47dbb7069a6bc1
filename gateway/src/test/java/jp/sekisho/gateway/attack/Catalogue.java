package jp.sekisho.gateway.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.gateway.support.GatewayFixture;

/**
 * Runs one hostile case and judges it: the answer, exactly the expected audit event (and no ALLOW
 * for a refused request), the spool and the receiver's inbox unchanged, and a legitimate request
 * still answered afterwards.
 */
final class Catalogue {

    private final AttackWorld world;
    private final HttpClient receiver;
    private final long firstSeq;
    private long lastSeq;
    /** "TYPE/REASON" → connection refusals counted into a window's summary event rather than written alone. */
    private final Map<String, Integer> summarised = new TreeMap<>();

    Catalogue(AttackWorld world) throws Exception {
        this.world = world;
        this.receiver = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(world.tls("contractor"))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        lastSeq = events().stream().mapToLong(RecordedEvent::seq).max().orElse(0);
        firstSeq = lastSeq;
    }

    /**
     * Checks the refusals that were summarised: once their windows have closed, the summary events'
     * counts per type and reason equal the cases that were not written alone. Every refusal is in the
     * log, as its own event or in a summary's count.
     */
    void finish() throws Exception {
        if (summarised.isEmpty()) {
            return;
        }
        // the windows (10 s by default) close and the sweeper, running every second, writes the summaries
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertEquals(
                        summarised, summaryCounts(), "the summaries account for every refusal not written alone"));
    }

    /** "TYPE/REASON" → the counts of the summary events written since the category began. */
    private Map<String, Integer> summaryCounts() {
        Map<String, Integer> counted = new TreeMap<>();
        for (RecordedEvent e : eventsAfter(firstSeq)) {
            String d = e.event().detailJson();
            if (d != null && d.contains("\"aggregated\":true")) {
                Object n = jp.sekisho.audit.json.Json.parseObject(d).get("count");
                counted.merge(
                        e.event().type() + "/" + e.event().reason(),
                        ((java.math.BigDecimal) n).intValueExact(),
                        Integer::sum);
            }
        }
        return counted;
    }

    void check(HostileCase c) throws Exception {
        Map<String, Long> spoolBefore = spool();
        String inboxBefore = inbox();
        long seq = lastSeq;

        Answer a = c.attack().send(world);

        if (c.expected() instanceof Expected.Refused r) {
            refused(r, a, seq);
        } else if (c.expected() instanceof Expected.ConnectionRefused r) {
            connectionRefused(r, a, seq);
        } else if (c.expected() instanceof Expected.Served s) {
            assertEquals(s.status(), a.status(), a.toString());
            List<RecordedEvent> mine = await(seq, e -> a.localPort() == port(e), List::isEmpty);
            s.check().accept(a, mine);
        }
        assertEquals(spoolBefore, spool(), "the spool is unchanged");
        assertEquals(inboxBefore, inbox(), "the receiver's inbox is unchanged, and the gateway still answers");
    }

    private void refused(Expected.Refused r, Answer a, long seq) throws Exception {
        assertEquals(r.status(), a.status(), a.toString());
        assertEquals(r.reason(), a.reason(), a.toString());
        assertTrue(a.body().contains("\"type\":\"urn:sekisho:problem:" + r.reason() + "\""), a.body());
        if (r.closes()) {
            assertTrue(a.closed(), "the connection is closed after a framing refusal: " + a);
            assertEquals("", a.after(), "the smuggled request is never answered");
        }
        String id = a.requestId();
        assertNotNull(id, "the problem names its request id: " + a);
        List<RecordedEvent> mine = await(
                seq, e -> id.equals(e.event().requestId()), l -> l.stream().noneMatch(Catalogue::refusing));
        List<RecordedEvent> refusals = mine.stream().filter(Catalogue::refusing).toList();
        assertEquals(1, refusals.size(), "exactly one refusing event of request " + id + ": " + mine);
        RecordedEvent e = refusals.get(0);
        assertEquals(r.event(), e.event().type(), e.toString());
        assertEquals(Outcome.DENY, e.event().outcome(), e.toString());
        assertEquals(r.reason(), e.event().reason(), e.toString());
        // REQUEST_ALLOWED is the admission chain's record that the request passed it (a service after
        // it may still refuse); anything else allowed (an upload created, a payload stored or
        // delivered, a decision applied) must not exist for a refused request
        assertTrue(
                mine.stream()
                        .noneMatch(x -> x.event().outcome() == Outcome.ALLOW
                                && x.event().type() != EventType.REQUEST_ALLOWED),
                "no ALLOW event for a refused request: " + mine);
    }

    private void connectionRefused(Expected.ConnectionRefused r, Answer a, long seq) throws Exception {
        List<RecordedEvent> mine = await(
                seq,
                e -> a.localPort() == port(e),
                l -> l.stream().noneMatch(Catalogue::refusing),
                Duration.ofSeconds(1));
        assertEquals(0, a.status(), "no HTTP answer: " + a);
        assertTrue(a.handshakeFailed() || a.closed(), "the connection is refused: " + a + "; events " + mine);
        List<RecordedEvent> refusals = mine.stream().filter(Catalogue::refusing).toList();
        if (refusals.isEmpty() && firstOfWindowRecorded(r)) {
            // the source's first refusal of this kind in the current window is recorded already: this
            // one goes into the window's summary event (RefusalWindows), checked by finish()
            summarised.merge(r.event() + "/" + r.reason(), 1, Integer::sum);
            return;
        }
        assertEquals(1, refusals.size(), "exactly one refusing event from port " + a.localPort() + ": " + mine);
        RecordedEvent e = refusals.get(0);
        assertEquals(r.event(), e.event().type(), e.toString());
        assertEquals(Outcome.DENY, e.event().outcome(), e.toString());
        assertEquals(r.reason(), e.event().reason(), e.toString());
        assertTrue(mine.stream().noneMatch(x -> x.event().outcome() == Outcome.ALLOW), "nothing allowed: " + mine);
        r.more().accept(e);
    }

    /** Whether an event of this type and reason, written alone, exists in the last 10 s (the window). */
    private boolean firstOfWindowRecorded(Expected.ConnectionRefused r) {
        java.time.Instant since = java.time.Instant.now().minusSeconds(11);
        return eventsAfter(firstSeq).stream()
                .anyMatch(e -> e.event().type() == r.event()
                        && r.reason().equals(e.event().reason())
                        && e.time().isAfter(since));
    }

    private static boolean refusing(RecordedEvent e) {
        return e.event().outcome() != Outcome.ALLOW;
    }

    private static int port(RecordedEvent e) {
        return e.event().sourcePort() == null ? -1 : e.event().sourcePort();
    }

    /**
     * The events after {@code seq} that match, waiting (up to 5 s) while {@code missing} says the
     * expected one has not been written yet: refusals are queued and written in batches.
     */
    private List<RecordedEvent> await(long seq, Predicate<RecordedEvent> match, Predicate<List<RecordedEvent>> missing)
            throws InterruptedException {
        return await(seq, match, missing, Duration.ofSeconds(5));
    }

    private List<RecordedEvent> await(
            long seq, Predicate<RecordedEvent> match, Predicate<List<RecordedEvent>> missing, Duration patience)
            throws InterruptedException {
        try {
            org.awaitility.Awaitility.await()
                    .atMost(patience)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !missing.test(
                            eventsAfter(seq).stream().filter(match).toList()));
        } catch (org.awaitility.core.ConditionTimeoutException absent) {
            // the caller's assertion says what is missing
        }
        // eventsAfter flushes the log: every event queued for the case is written and read here,
        // including a second one that must not be there
        List<RecordedEvent> all = eventsAfter(seq);
        all.stream().mapToLong(RecordedEvent::seq).max().ifPresent(m -> lastSeq = Math.max(lastSeq, m));
        return all.stream().filter(match).toList();
    }

    private List<RecordedEvent> eventsAfter(long seq) {
        world.w.gw.store.postgresLog().flush(Duration.ofSeconds(5));
        return world.w
                .gw
                .store
                .reader()
                .search(AuditQuery.all().after("gw1", seq).limit(100_000), GatewayFixture.TEST_READER);
    }

    private List<RecordedEvent> events() {
        world.w.gw.store.postgresLog().flush(Duration.ofSeconds(5));
        return world.w.gw.store.reader().search(AuditQuery.all().limit(100_000), GatewayFixture.TEST_READER);
    }

    /** Name → size of every file under the spool directory. */
    private Map<String, Long> spool() throws Exception {
        Map<String, Long> m = new TreeMap<>();
        Path dir = world.spool();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    m.put(dir.relativize(p).toString(), Files.size(p));
                }
            }
        }
        return m;
    }

    /** The receiver's inbox of the route, as the receiver sees it; must answer 200. */
    String inbox() throws Exception {
        HttpResponse<String> r = receiver.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + world.port("transfer") + "/api/v1/routes/"
                                + AttackWorld.ROUTE + "/inbox"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "the gateway still serves a legitimate request: " + r.body());
        return r.body();
    }
}
