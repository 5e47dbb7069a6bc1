package jp.sekisho.gateway.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalFixtures;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.GatewayConfigLoader;
import jp.sekisho.gateway.config.RelayClientConfig;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.ConnectionRate;
import jp.sekisho.gateway.edge.EdgeContext;
import jp.sekisho.gateway.edge.ListenerAllowlists;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.tls.TlsContexts;
import jp.sekisho.gateway.tls.TlsMaterial;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay against a real HTTPS upstream that requires the gateway's client certificate, over real
 * TLS, with the real audit store. The test binds a {@link RelayServer} itself and hands it policy
 * snapshots it builds (the gateway's audit log, admission and TLS material otherwise), so that a
 * suspension or a changed limit takes effect at a moment the test chooses; RelayAcceptanceTest covers
 * the same relay with routes applied through the admin API and loaded from the policy store. The
 * gateway's own relay listener is checked for its binding and its refusal with no route.
 */
class RelayProxyTest {

    static final String REF = "2総政第158号";
    static final String LISTENER = "test-relay";

    @TempDir
    static Path dir;

    static TestPki pki;
    static GatewayFixture fx;
    static TestUpstream upstream;
    static TestUpstream rogue;
    static RelayServer relay;
    static int relayPort;
    static SSLContext browser;
    static ExecutorService blocking;
    static final AtomicReference<PolicySnapshot> policy = new AtomicReference<>();
    static final List<Consumer<PolicySnapshot>> subscribers = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential gatewayClient = pki.client("sekisho-relay");
        fx = GatewayFixture.start(
                dir,
                pki,
                "gwtest",
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n"
                        + "  payroll-web: { kind: relay, bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n",
                "  []\n",
                "relay:\n  client-certificate: " + gatewayClient.certificateFile() + "\n  client-key: "
                        + gatewayClient.keyFile() + "\n");
        Credential upstreamCert = pki.server("payroll-upstream", List.of("localhost"), List.of("127.0.0.1"));
        upstream = new TestUpstream(Tls.client(upstreamCert.pkcs12File(), pki.caFile()));
        TestPki other = TestPki.create(Files.createDirectories(dir.resolve("other-pki")));
        Credential rogueCert = other.server("rogue-upstream", List.of("localhost"), List.of("127.0.0.1"));
        rogue = new TestUpstream(Tls.client(rogueCert.pkcs12File(), pki.caFile()));
        browser = RelayWorld.trustOnly(pki.caFile());
        blocking = Executors.newCachedThreadPool();

        GatewayConfig config = GatewayConfigLoader.load(dir.resolve("gateway.yml"));
        TlsMaterial material = TlsMaterial.load(config);
        relayPort = freePort();
        ConnectionAudit connections = new ConnectionAudit(fx.store.log(), fx.gateway.metrics());
        EdgeContext edge = new EdgeContext(
                Map.of(relayPort, LISTENER),
                new ListenerAllowlists(Map.of(LISTENER, List.of(Cidr.parse("127.0.0.1/32")))),
                Map.of(),
                connections,
                new ConnectionRate(1000, 1000));
        policy.set(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), RelayLimits.DEFAULTS)));
        relay = RelayServer.start(
                List.of(new GatewayConfig.Listener(
                        9, LISTENER, "127.0.0.1", relayPort, List.of(), false, List.of(), true, false)),
                Map.of(LISTENER, relayPort),
                new RelayServer.Setup(
                        edge,
                        null, // no mtls route in these tests
                        null,
                        TlsContexts.serverOnly(material, GatewayConfig.TlsProvider.AUTO),
                        connections,
                        fx.gateway.metrics(),
                        policy::get,
                        c -> {
                            subscribers.add(c);
                            c.accept(policy.get());
                        },
                        UpstreamTls.load(
                                RelayClientConfig.from(config.raw().get("relay"), config.source(), config.tls()),
                                config.source().toString(),
                                SslProvider.JDK),
                        fx.store.log(),
                        () -> fx.store.postgresLog().isAvailable(),
                        () -> fx.gateway.context().getBean(Admission.class),
                        blocking,
                        Clock.systemUTC(),
                        null,
                        null,
                        null));
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (rogue != null) {
            rogue.close();
        }
        if (fx != null) {
            fx.close();
        }
        if (blocking != null) {
            blocking.shutdownNow();
        }
    }

    static final RelayLimits PAYROLL =
            new RelayLimits(Set.of("GET", "HEAD", "POST"), List.of("/payroll", "/slow"), 1024, 0, null, false);

    static RelayRoute route(int port, RelayLimits limits) throws Exception {
        return new RelayRoute(
                "kurume-payroll-web",
                LISTENER,
                REF,
                TerminalMode.TLS,
                List.of(new RelayRoute.Terminal(null, null, List.of("127.0.0.1/32"))),
                new Upstream(
                        URI.create("https://127.0.0.1:" + port),
                        Files.readString(pki.caFile()),
                        "payroll.kurume.example",
                        false),
                limits);
    }

    static Approval approval(ApprovalStatus status) {
        Approval p = ApprovalFixtures.pending(REF);
        return ApprovalFixtures.decided(p, status, p.validUntil().plusYears(5));
    }

    static PolicySnapshot snapshot(Approval a, RelayRoute r) {
        return new PolicySnapshot(Map.of(a.ref(), a), Map.of(), Map.of(r.id(), r), Map.of(), Map.of(), Instant.now());
    }

    /** As the policy watcher does after a reload. */
    static void publish(PolicySnapshot s) {
        policy.set(s);
        subscribers.forEach(c -> c.accept(s));
    }

    static RecordedEvent event(String requestId) throws InterruptedException {
        RecordedEvent e = fx.awaitEvent(
                EventType.RELAY_REQUEST, r -> requestId.equals(r.event().requestId()));
        assertNotNull(e, "RELAY_REQUEST of " + requestId);
        return e;
    }

    @Test
    void aGetPassesWithHopByHopHeadersGoneAndTheForwardingHeadersTheGatewaysOwn() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a = t.exchange("GET /payroll/list?id=7&page=2 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + relayPort + "\r\n"
                    + "Connection: keep-alive, X-Secret\r\n"
                    + "X-Secret: hop\r\n"
                    + "Keep-Alive: timeout=100\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "TE: trailers\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\n"
                    + "Forwarded: for=6.6.6.6\r\n"
                    + "X-Kept: end-to-end\r\n\r\n");
            assertEquals(200, a.status());
            String seen = a.text();
            assertTrue(seen.startsWith("GET /payroll/list?id=7&page=2\n"), seen);
            assertContains(seen, "host: payroll.kurume.example\n");
            assertContains(seen, "x-forwarded-for: 127.0.0.1\n");
            assertContains(seen, "forwarded: for=127.0.0.1;proto=https;host=\"127.0.0.1:" + relayPort + "\"\n");
            assertContains(seen, "x-kept: end-to-end\n");
            assertLacks(seen, "6.6.6.6");
            assertLacks(seen, "x-secret");
            assertLacks(seen, "keep-alive:");
            assertLacks(seen, "proxy-authorization");
            assertLacks(seen, "\nte:");
            assertEquals("no-store", a.header("Cache-Control"));
            assertEquals("payroll", a.header("X-Upstream"));
            assertNull(a.header("Keep-Alive"));
            assertNull(a.header("Proxy-Authenticate"));
            String requestId = a.header("X-Request-Id");

            // the same connection carries the next request (keep-alive towards the terminal)
            RawTerminal.Answer b = t.exchange("HEAD /payroll/list HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(200, b.status());

            AuditEvent e = event(requestId).event();
            assertEquals(Outcome.ALLOW, e.outcome());
            assertEquals("OK", e.reason());
            assertEquals("kurume-payroll-web", e.routeId());
            assertEquals(REF, e.approvalRef());
            assertEquals("127.0.0.1", e.sourceIp());
            assertEquals(relayPort, e.listenerPort());
            assertNull(e.principal());
            assertEquals((long) a.body().length, e.bytes());
            assertContains(e.detailJson(), "\"method\":\"GET\"");
            assertContains(e.detailJson(), "\"path\":\"/payroll/list\"");
            assertContains(e.detailJson(), "\"queryNames\":[\"id\",\"page\"]");
            assertContains(e.detailJson(), "\"status\":200");
            assertContains(e.detailJson(), "\"bytesIn\":0");
            assertContains(e.detailJson(), "\"bytesOut\":" + a.body().length);
            assertContains(e.detailJson(), "\"upstream\":\"127.0.0.1:" + upstream.port() + "\"");
            assertContains(e.detailJson(), "\"websocket\":false");
            assertContains(e.detailJson(), "\"durationMs\":");
            assertLacks(e.detailJson(), "id=7");
            assertLacks(e.detailJson(), "\"7\"");
            assertLacks(e.detailJson(), "?");
        }
    }

    @Test
    void aMethodOrPathOffTheRouteIsRefusedWithItsReason() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a = t.exchange("DELETE /payroll/1 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(405, a.status());
            assertEquals("application/problem+json", a.header("Content-Type"));
            assertEquals("no-store", a.header("Cache-Control"));

            AuditEvent e = event(a.header("X-Request-Id")).event();
            assertEquals(Outcome.DENY, e.outcome());
            assertEquals("METHOD_NOT_ON_ROUTE", e.reason());
            assertEquals("kurume-payroll-web", e.routeId());
            assertContains(e.detailJson(), "\"status\":405");
        }
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a =
                    t.exchange("GET /admin/secrets HTTP/1.1\r\nHost: x\r\nAccept: text/html,*/*\r\n\r\n");
            assertEquals(403, a.status());
            assertTrue(a.header("Content-Type").startsWith("text/html"), a.header("Content-Type"));
            assertEquals("no-store", a.header("Cache-Control"));
            assertContains(a.text(), "経路で許可されないパス");
            assertEquals(
                    "PATH_NOT_ON_ROUTE", event(a.header("X-Request-Id")).event().reason());
        }
    }

    @Test
    void aBodyOverMaxBodyIsRefused() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a = t.exchange(
                    "POST /payroll/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(4096));
            assertEquals(413, a.status());
        }
        try (RawTerminal t = new RawTerminal(browser, relayPort)) { // chunked: cut when it grows past max-body
            t.send("POST /payroll/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + "200\r\n"
                    + "x".repeat(512) + "\r\n");
            t.send("400\r\n" + "y".repeat(1024) + "\r\n");
            RawTerminal.Answer a = t.readAnswer(true);
            assertEquals(413, a.status());
            AuditEvent e = event(a.header("X-Request-Id")).event();
            assertEquals(Outcome.DENY, e.outcome());
            assertEquals("REQUEST_BODY_TOO_LARGE", e.reason());
        }
    }

    /** Requests sent before the previous answer (pipelined), a 100 Continue from the upstream and an HTTP/1.0 terminal. */
    @Test
    void pipelinedRequestsAnInterimAnswerAndAnHttp10TerminalAreRelayed() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            t.send("GET /payroll/a HTTP/1.1\r\nHost: x\r\n\r\nGET /payroll/b HTTP/1.1\r\nHost: x\r\n\r\n");
            RawTerminal.Answer a = t.readAnswer(true);
            RawTerminal.Answer b = t.readAnswer(true);
            assertEquals(200, a.status());
            assertTrue(a.text().startsWith("GET /payroll/a\n"), a.text());
            assertEquals(200, b.status());
            assertTrue(b.text().startsWith("GET /payroll/b\n"), b.text());
            assertFalse(a.header("X-Request-Id").equals(b.header("X-Request-Id")), "one request id each");
            assertEquals(Outcome.ALLOW, event(b.header("X-Request-Id")).event().outcome());
        }
        try (RawTerminal t = new RawTerminal(browser, relayPort)) { // the body goes once the upstream asks for it
            t.send("POST /payroll/c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, t.readAnswer(false).status());
            t.send("hello");
            RawTerminal.Answer c = t.readAnswer(true);
            assertEquals(200, c.status());
            assertContains(c.text(), "body-bytes: 5\n");
        }
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer d = t.exchange("GET /payroll/d HTTP/1.0\r\nHost: x\r\n\r\n");
            assertEquals(200, d.status());
            assertTrue(d.text().startsWith("GET /payroll/d\n"), d.text());
            assertEquals("close", d.header("Connection"));
            assertTrue(t.readsToEnd(0), "the connection ends with the answer");
        }
    }

    @Test
    void aPathTwoServersCouldReadDifferentlyIsRefused() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a = t.exchange("GET /payroll/%2e%2e/admin HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(400, a.status());
            assertContains(a.text(), "\"reason\":\"PATH_INVALID\"");
        }
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        RelayLimits big =
                new RelayLimits(Set.of("GET", "POST"), List.of("/payroll", "/slow"), 256L << 20, 0, null, false);
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), big)));
        int size = 16 << 20; // the JDK's HTTPS server is the slow end here; bench/relay.sh measures speed
        byte[] piece = new byte[1 << 20];
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            t.send("POST /payroll/upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n");
            for (int i = 0; i < size / piece.length; i++) {
                t.socket.getOutputStream().write(piece);
            }
            RawTerminal.Answer a = t.readAnswer(true);
            assertEquals(200, a.status());
            assertContains(a.text(), "body-bytes: " + size + "\n");
            AuditEvent e = event(a.header("X-Request-Id")).event();
            assertContains(e.detailJson(), "\"bytesIn\":" + size);
            // chunked, on the same connection
            t.send("POST /payroll/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 8; i++) {
                t.send(Integer.toHexString(piece.length) + "\r\n");
                t.socket.getOutputStream().write(piece);
                t.send("\r\n");
            }
            t.send("0\r\n\r\n");
            RawTerminal.Answer c = t.readAnswer(true);
            assertEquals(200, c.status());
            assertContains(c.text(), "body-bytes: " + 8 * piece.length + "\n");
        }
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            t.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            RawTerminal.Answer head = t.readAnswer(false);
            assertEquals(200, head.status());
            assertEquals("chunked", head.header("Transfer-Encoding"));
            assertFalse(t.readsToEnd(size), "an endless download keeps coming");
        }
    }

    @Test
    void anUpstreamCertificateFromAnotherCaIsRefused() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(rogue.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a = t.exchange("GET /payroll/list HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(502, a.status());

            AuditEvent e = event(a.header("X-Request-Id")).event();
            assertEquals(Outcome.DENY, e.outcome());
            assertEquals("UPSTREAM_TLS_FAILED", e.reason());
        } finally {
            publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        }
    }

    @Test
    void aSuspensionCutsASlowDownloadAndRefusesTheNextRequest() throws Exception {
        publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            t.send("GET /slow?who=1 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawTerminal.Answer head = t.readAnswer(false); // the body never ends; the terminal reads slowly
            assertEquals(200, head.status());
            assertEquals("no-store", head.header("Cache-Control"));
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.inFlight() == 1);
            publish(snapshot(approval(ApprovalStatus.SUSPENDED), route(upstream.port(), PAYROLL)));
            assertTrue(t.readsToEnd(1L << 30), "the download is cut, not endless");
            AuditEvent e = event(head.header("X-Request-Id")).event();
            assertEquals(Outcome.DENY, e.outcome());
            assertEquals("APPROVAL_SUSPENDED", e.reason());
            assertContains(e.detailJson(), "\"status\":200");
        }
        try (RawTerminal t = new RawTerminal(browser, relayPort)) {
            RawTerminal.Answer a = t.exchange("GET /payroll/list HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(403, a.status());

        } finally {
            publish(snapshot(approval(ApprovalStatus.APPROVED), route(upstream.port(), PAYROLL)));
        }
    }

    @Test
    void theGatewayBindsItsRelayListenerAndClosesItBeforeTlsWithNoRoute() throws Exception {
        int port = fx.gateway.port("payroll-web");
        assertTrue(port > 0);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (java.net.SocketException reset) {
                first = -1;
            }
            assertEquals(-1, first, "closed without a TLS ServerHello");
        }
        RecordedEvent e = fx.awaitEvent(
                EventType.CONNECTION_REFUSED,
                r -> "RELAY_NO_ROUTE".equals(r.event().reason())
                        && Integer.valueOf(port).equals(r.event().listenerPort()));
        assertNotNull(e);
    }

    static void assertContains(String s, String part) {
        assertTrue(s.contains(part), () -> "expected «" + part + "» in:\n" + s);
    }

    static void assertLacks(String s, String part) {
        assertFalse(s.contains(part), () -> "expected no «" + part + "» in:\n" + s);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
