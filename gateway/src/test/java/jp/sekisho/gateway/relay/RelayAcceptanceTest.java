package jp.sekisho.gateway.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.support.NginxUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 14's acceptance, end to end: a gateway process (heap {@value RelayWorld#HEAP}) with relay
 * listeners, approvals and a routes file with {@code kind: relay} applied through the admin API,
 * and nginx as the contractor's payroll web system requiring the gateway's client certificate.
 * Terminals are JDK HttpClient (TLS), curl and openssl s_client from 127.0.0.1 and 127.0.0.2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayAcceptanceTest {

    static final long BIG = 200L << 20;

    @TempDir
    static java.nio.file.Path dir;

    static RelayWorld w;

    @BeforeAll
    static void start() throws Exception {
        w = new RelayWorld(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    @Test
    @Order(1)
    void aTerminalOn127001GetsThePayrollPageThroughTheRelay() throws Exception {
        HttpResponse<String> r = w.get(w.payrollPort, "/payroll/list.html?id=SECRET-4711&page=2");
        assertEquals(200, r.statusCode(), r.body() + w.diagnostics());
        assertEquals(NginxUpstream.PAYROLL_PAGE + "\n", r.body());
        assertEquals(
                "no-store",
                r.headers().firstValue("Cache-Control").orElse(""),
                r.headers().toString());
        String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();

        // the same page with curl, as a browser-like client would fetch it
        Procs.Result curl = Procs.run(
                30,
                "curl",
                "-sS",
                "--cacert",
                w.pki.caFile().toString(),
                "https://127.0.0.1:" + w.payrollPort + "/payroll/index.html");
        w.payrollRequests.add("<curl>");
        assertTrue(curl.ok() && curl.out().contains(NginxUpstream.PAYROLL_PAGE), curl.out());

        // one event with the contract's fields; the query's names, never its values
        Map<String, Object> e = awaitEvent(RelayWorld.PAYROLL, requestId);
        assertEquals("ALLOW", e.get("outcome"));
        assertEquals("OK", e.get("reason"));
        assertEquals("127.0.0.1", e.get("source_ip"));
        assertEquals((long) w.payrollPort, ((Number) e.get("listener_port")).longValue());
        assertEquals(RelayWorld.PAYROLL, e.get("route"));
        assertEquals(RelayWorld.REF, e.get("approval"));
        assertNull(e.get("subject"), "terminal-mode tls: no principal");
        Map<String, Object> d = Json.parseObject((String) e.get("detail"));
        assertEquals("GET", d.get("method"));
        assertEquals("/payroll/list.html", d.get("path"));
        assertEquals(List.of("id", "page"), d.get("queryNames"));
        assertEquals(200L, ((Number) d.get("status")).longValue());
        assertEquals(0L, ((Number) d.get("bytesIn")).longValue());
        long out = r.body().getBytes(StandardCharsets.UTF_8).length;
        assertEquals(out, ((Number) d.get("bytesOut")).longValue());
        assertEquals(out, ((Number) e.get("bytes")).longValue(), "bytes = bytesIn + bytesOut");
        assertEquals("127.0.0.1:" + w.upstream.port(), d.get("upstream"));
        assertEquals(false, d.get("websocket"));
        assertTrue(((Number) d.get("durationMs")).longValue() >= 0, d.toString());
        String all = w.admin(w.auditorClient(), "GET", "/api/v1/audit/events?limit=1000", null)
                .body();
        assertFalse(all.contains("SECRET-4711"), "a query value reached the audit trail");
    }

    @Test
    @Order(2)
    void theUpstreamSeesTheGatewaysCertificateForwardedHeadersAndTheRoutesHost() throws Exception {
        HttpResponse<String> r = w.terminal(
                w.payrollPort,
                HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).header("X-Forwarded-For", "203.0.113.9"),
                "/echo-headers",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body() + w.diagnostics());
        String[] f = r.body().trim().split("\\|", -1);
        assertEquals(5, f.length, r.body());
        String[] xff = f[0].split(",\\s*");
        assertEquals("127.0.0.1", xff[xff.length - 1], "X-Forwarded-For ends with the terminal: " + r.body());
        assertTrue(f[1].contains("for=127.0.0.1") || f[1].contains("for=\"127.0.0.1"), "Forwarded: " + r.body());
        assertEquals("payroll.kurume.example", f[2], "Host as the route says");
        assertFalse(f[3].toLowerCase(java.util.Locale.ROOT).contains("upgrade"), "Connection: " + f[3]);
        assertTrue(f[4].contains("CN=gateway-client"), "nginx checked the gateway's client certificate: " + r.body());
    }

    @Test
    @Order(3)
    void aTerminalOn127002IsClosedBeforeTls() throws Exception {
        String target = "127.0.0.1:" + w.payrollPort;
        Procs.Result refused =
                Procs.runWithInput(20, "", "openssl", "s_client", "-msg", "-connect", target, "-bind", "127.0.0.2:0");
        assertFalse(refused.out().contains("ServerHello"), refused.out());
        Procs.Result curl = Procs.run(
                30,
                "curl",
                "-sS",
                "--interface",
                "127.0.0.2",
                "--cacert",
                w.pki.caFile().toString(),
                "https://" + target + "/payroll/list.html");
        assertFalse(curl.ok(), curl.out());
        assertFalse(curl.out().contains(NginxUpstream.PAYROLL_PAGE), curl.out());
        // control: the same openssl command from 127.0.0.1 does see the gateway's ServerHello
        Procs.Result allowed =
                Procs.runWithInput(20, "", "openssl", "s_client", "-msg", "-connect", target, "-bind", "127.0.0.1:0");
        assertTrue(allowed.out().contains("ServerHello"), allowed.out());
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<Map<String, Object>> refusals = w.events("CONNECTION_REFUSED", "127.0.0.2");
            assertTrue(
                    refusals.stream()
                            .anyMatch(e -> "DENY".equals(e.get("outcome"))
                                    && ((Number) e.get("listener_port")).intValue() == w.payrollPort),
                    "a CONNECTION_REFUSED from 127.0.0.2 on the relay listener: " + refusals);
        });
        assertTrue(w.events("RELAY_REQUEST", "127.0.0.2").isEmpty(), "no request from 127.0.0.2 got as far as HTTP");
    }

    @Test
    @Order(4)
    void aPathOrMethodOutsideTheRouteIsRefusedWithItsReason() throws Exception {
        HttpResponse<String> path = w.get(w.payrollPort, "/admin/users");
        assertRefused(path, Reason.PATH_NOT_ON_ROUTE);
        HttpResponse<String> method = w.terminal(
                w.payrollPort,
                HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).DELETE(),
                "/payroll/list.html",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertRefused(method, Reason.METHOD_NOT_ON_ROUTE);
        // a browser gets the plain bilingual page instead
        HttpResponse<String> page = w.terminal(
                w.payrollPort,
                HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).header("Accept", "text/html"),
                "/admin/users",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(403, page.statusCode(), page.body());
        assertTrue(
                page.body().contains(Reason.PATH_NOT_ON_ROUTE.ja())
                        && page.body().contains("PATH_NOT_ON_ROUTE"),
                page.body());

        for (HttpResponse<String> r : List.of(path, method)) {
            Map<String, Object> e = awaitEvent(
                    RelayWorld.PAYROLL, r.headers().firstValue("X-Request-Id").orElseThrow());
            assertEquals("DENY", e.get("outcome"));
            Map<String, Object> d = Json.parseObject((String) e.get("detail"));
            assertEquals((long) r.statusCode(), ((Number) d.get("status")).longValue());
            assertFalse(d.containsKey("upstream"), "refused before the upstream: " + d);
        }
        assertEquals(
                "DELETE",
                Json.parseObject((String) awaitEvent(
                                        RelayWorld.PAYROLL,
                                        method.headers()
                                                .firstValue("X-Request-Id")
                                                .orElseThrow())
                                .get("detail"))
                        .get("method"));
        assertFalse(
                w.upstream.accessLog().stream().anyMatch(l -> l.contains("/admin/users") || l.contains("DELETE")),
                "a refused request never reached the upstream");
    }

    @Test
    @Order(5)
    void a200MiBDownloadAndUploadPassIntactWithTheGatewaysHeapFlat() throws Exception {
        String sha = w.upstream.writeBig("payroll-archive.bin", BIG);
        long liveBefore = w.heapUsedKib(true);
        AtomicLong peak = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleWithFixedDelay(
                () -> {
                    try {
                        peak.accumulateAndGet(w.heapUsedKib(false), Math::max);
                    } catch (Throwable t) {
                        // the JVM may be between states; the next sample counts
                    }
                },
                0,
                500,
                TimeUnit.MILLISECONDS);
        try {
            HttpResponse<InputStream> down = w.terminal(
                    w.payrollPort,
                    HttpRequest.newBuilder().timeout(Duration.ofMinutes(5)),
                    "/big/payroll-archive.bin",
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, down.statusCode(), w.diagnostics());
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long got = 0;
            try (InputStream in = down.body()) {
                byte[] b = new byte[1 << 16];
                int n;
                while ((n = in.read(b)) > 0) {
                    md.update(b, 0, n);
                    got += n;
                }
            }
            assertEquals(BIG, got, "bytes downloaded");
            assertEquals(sha, HexFormat.of().formatHex(md.digest()), "the download's SHA-256");

            HttpResponse<String> up = w.terminal(
                    w.payrollPort,
                    HttpRequest.newBuilder()
                            .timeout(Duration.ofMinutes(5))
                            .PUT(HttpRequest.BodyPublishers.fromPublisher(
                                    HttpRequest.BodyPublishers.ofInputStream(
                                            () -> NginxUpstream.pattern(BIG, "payroll-archive.bin".hashCode())),
                                    BIG)),
                    "/upload/payroll-return.bin",
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertTrue(
                    up.statusCode() == 201 || up.statusCode() == 204,
                    up.statusCode() + " " + up.body() + w.diagnostics());
            assertEquals(BIG, java.nio.file.Files.size(w.upstream.uploaded("payroll-return.bin")));
            assertEquals(
                    sha,
                    NginxUpstreamTest.sha256(w.upstream.uploaded("payroll-return.bin")),
                    "the upload's SHA-256 (the same bytes as the download)");

            Map<String, Object> de = awaitEvent(
                    RelayWorld.PAYROLL,
                    down.headers().firstValue("X-Request-Id").orElseThrow());
            assertEquals(
                    BIG, ((Number) Json.parseObject((String) de.get("detail")).get("bytesOut")).longValue());
            Map<String, Object> ue = awaitEvent(
                    RelayWorld.PAYROLL, up.headers().firstValue("X-Request-Id").orElseThrow());
            Map<String, Object> ud = Json.parseObject((String) ue.get("detail"));
            assertEquals(BIG, ((Number) ud.get("bytesIn")).longValue());
            assertEquals("PUT", ud.get("method"));
        } finally {
            sampler.shutdownNow();
            sampler.awaitTermination(30, TimeUnit.SECONDS);
        }
        assertTrue(w.gw.isAlive(), "the gateway survived 2 x 200 MiB with " + RelayWorld.HEAP + "\n" + w.diagnostics());
        long liveAfter = w.heapUsedKib(true);
        System.out.printf(
                "relay 2 x %d MiB with %s: live heap %d KiB before, %d KiB after (full GC); peak sampled %d KiB%n",
                BIG >> 20, RelayWorld.HEAP, liveBefore, liveAfter, peak.get());
        // 200 MiB could not have been held in a 128 MiB heap; what stays after a full GC must not grow with it
        assertTrue(
                liveAfter - liveBefore < 24 * 1024,
                "live heap grew by " + (liveAfter - liveBefore) + " KiB over the transfers");
    }

    @Test
    @Order(6)
    void anUpstreamCertificateFromAnotherCaIsRefusedWithUpstreamTlsFailed() throws Exception {
        HttpResponse<String> r = w.get(w.brokenPort, "/");
        assertRefused(r, Reason.UPSTREAM_TLS_FAILED);
        assertEquals(502, r.statusCode());
        assertTrue(
                w.foreign.accessLog().isEmpty(), "no request reached the foreign upstream: " + w.foreign.accessLog());
        Map<String, Object> e = awaitEvent(
                RelayWorld.BROKEN, r.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("DENY", e.get("outcome"));
        assertEquals("UPSTREAM_TLS_FAILED", e.get("reason"));
    }

    @Test
    @Order(7)
    void onAnMtlsRouteOnlyTheNamedTerminalsCertificateGetsThrough() throws Exception {
        HttpResponse<String> named = w.as(RelayWorld.TERMINAL_PC, w.mtlsPort, "/payroll/index.html");
        assertEquals(200, named.statusCode(), named.body());
        assertTrue(named.body().contains("給与"), named.body());
        Map<String, Object> ok = awaitEvent(
                RelayWorld.MTLS, named.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("ALLOW", ok.get("outcome"));
        assertEquals("CN=" + RelayWorld.TERMINAL_PC + RelayWorld.SUBJECT_SUFFIX, ok.get("subject"));

        // a valid certificate of this deployment, but not one the route names
        HttpResponse<String> other = w.as("auditor", w.mtlsPort, "/payroll/index.html");
        assertRefused(other, Reason.NOT_A_TERMINAL);
        assertEquals(403, other.statusCode());
        assertEquals(
                "NOT_A_TERMINAL",
                awaitEvent(
                                RelayWorld.MTLS,
                                other.headers().firstValue("X-Request-Id").orElseThrow())
                        .get("reason"));

        // no certificate at all: the handshake itself is refused (certificate_required), nothing is read
        javax.net.ssl.SSLHandshakeException none = org.junit.jupiter.api.Assertions.assertThrows(
                javax.net.ssl.SSLHandshakeException.class, () -> w.get(w.mtlsPort, "/payroll/index.html"));
        assertTrue(String.valueOf(none.getMessage()).contains("certificate_required"), none.toString());
    }

    @Test
    @Order(100)
    void everyRequestIsExactlyOneRelayEventAndTheAuditChainVerifies() throws Exception {
        List<String> ids = new ArrayList<>(w.payrollRequests);
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertEquals(
                        ids.size(),
                        w.relayEvents(RelayWorld.PAYROLL).size(),
                        "RELAY_REQUEST events of " + RelayWorld.PAYROLL + " for the requests " + ids));
        List<Map<String, Object>> events = w.relayEvents(RelayWorld.PAYROLL);
        for (String id : ids) {
            if (id.startsWith("<")) {
                continue; // curl's request: counted above, its id not read
            }
            assertEquals(
                    1,
                    events.stream().filter(e -> id.equals(e.get("request_id"))).count(),
                    "events of " + id);
        }
        RelayWorld.Answer v = w.verify();
        assertEquals(200, v.status(), v.body());
        assertEquals(true, v.json().get("ok"), v.body());
        // and the auditor's own check: `sekisho audit verify --gateway URL`, the export verified here
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(
                "verify",
                "--gateway",
                w.gw.url("admin", ""),
                "--identity",
                w.auditorP12().toString(),
                "--key",
                w.signingPublicKey().toString());
        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().startsWith("OK: "), out.toString());
    }

    @Test
    @Order(200)
    void aSuspensionCutsAnInFlightSlowDownloadAndRefusesTheNextRequest() throws Exception {
        long size = 16L << 20; // 256 s at the upstream's limit_rate: only a cut ends it within the test
        w.upstream.writeBig("slow.bin", size);
        AtomicLong got = new AtomicLong();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        HttpResponse<InputStream> r = w.terminal(
                w.slowPort,
                HttpRequest.newBuilder().timeout(Duration.ofMinutes(10)),
                "/slow/slow.bin",
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode(), w.diagnostics());
        String slowId = r.headers().firstValue("X-Request-Id").orElseThrow();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (InputStream in = r.body()) {
                byte[] b = new byte[8192];
                int n;
                while ((n = in.read(b)) > 0) {
                    got.addAndGet(n);
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> got.get() >= 128 * 1024);
        assertFalse(reader.isDone(), "still streaming before the suspension");

        long t0 = System.nanoTime();
        w.suspend(RelayWorld.REF_SLOW);
        await().atMost(Duration.ofSeconds(5)).until(reader::isDone);
        long cutMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
                "relay: in-flight download cut %d ms after the suspension was applied, %d of %d bytes%n",
                cutMs, got.get(), size);
        assertTrue(got.get() < size, "the download was cut, not finished (ended by " + ended.get() + ")");

        HttpResponse<String> next = w.get(w.slowPort, "/slow/slow.bin");
        assertRefused(next, Reason.APPROVAL_SUSPENDED);

        Map<String, Object> cut = awaitEvent(RelayWorld.SLOW, slowId);
        assertEquals("DENY", cut.get("outcome"), cut.toString());
        assertEquals("APPROVAL_SUSPENDED", cut.get("reason"), cut.toString());
        Map<String, Object> refused = awaitEvent(
                RelayWorld.SLOW, next.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("APPROVAL_SUSPENDED", refused.get("reason"));
    }

    /** A problem document (RFC 9457) naming the reason, with its status, never cached. */
    static void assertRefused(HttpResponse<String> r, Reason reason) {
        assertEquals(reason.status(), r.statusCode(), r.body() + w.diagnostics());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                r.headers().toString());
        assertEquals(reason.code(), Json.parseObject(r.body()).get("reason"), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
    }

    /** The one RELAY_REQUEST event of that request id (waits up to 15 s for the writer). */
    static Map<String, Object> awaitEvent(String route, String requestId) {
        AtomicReference<Map<String, Object>> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<Map<String, Object>> match = w.relayEvents(route).stream()
                    .filter(e -> requestId.equals(e.get("request_id")))
                    .toList();
            assertEquals(1, match.size(), "RELAY_REQUEST events for request " + requestId + ": " + match);
            found.set(match.get(0));
        });
        return found.get();
    }
}
