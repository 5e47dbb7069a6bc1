package jp.sekisho.gateway.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.support.Curl;
import jp.sekisho.gateway.support.GatewayFixture;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load balancer's health endpoint with the real curl and haproxy: plain HTTP without a client
 * certificate from the configured networks, closed for any other address before HTTP, and 503
 * REFUSING with CRL_EXPIRED while a stale CRL makes the node refuse every client certificate, so
 * haproxy's {@code option httpchk} takes the node out and puts it back once the CRL is renewed.
 */
class HealthEndpointTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static GatewayFixture fx;
    static Credential alice;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        Procs.require("curl");
        Procs.require("haproxy");
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        alice = pki.client("alice");
        fx = GatewayFixture.start(
                dir,
                pki,
                "gwhealth",
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + alice.certificate().getSubjectX500Principal().getName() + "\", roles: [operator] }\n",
                "health: { listen: \"127.0.0.1:0\", allow: [127.0.0.1/32] }\n");
        port = fx.gateway.health().port();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static Procs.Result curl(String... more) {
        String[] cmd = new String[more.length + 6];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "--max-time";
        cmd[3] = "5";
        cmd[4] = "-w";
        cmd[5] = "\n%{http_code}";
        System.arraycopy(more, 0, cmd, 6, more.length);
        return Procs.run(20, cmd);
    }

    @Test
    void answersUpWithoutAClientCertificateAndOtherPathsAndMethodsAreRefused() {
        Procs.Result r = curl("http://127.0.0.1:" + port + "/health");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().startsWith("{\"status\":\"UP\",\"node\":\"gwhealth\"}"), r.out());
        assertTrue(r.out().endsWith("\n200"), r.out());
        assertTrue(curl("http://127.0.0.1:" + port + "/metrics").out().endsWith("\n404"));
        assertTrue(
                curl("-X", "POST", "http://127.0.0.1:" + port + "/health").out().endsWith("\n405"));
        Procs.Result head = curl("-I", "http://127.0.0.1:" + port + "/health");
        assertTrue(head.out().startsWith("HTTP/1.1 200"), head.out());
    }

    @Test
    void anAddressNotAllowedIsClosedBeforeAnyHttp() throws Exception {
        Metrics m = fx.gateway.metrics();
        long before = m.value(Metrics.CONNECTIONS, HealthServer.LISTENER, "DENY", "IP_NOT_ALLOWED");
        Procs.Result r = curl("--interface", "127.0.0.2", "http://127.0.0.1:" + port + "/health");
        assertNotEquals(0, r.exit(), "curl from 127.0.0.2 gets no answer: " + r.out());
        assertTrue(r.out().endsWith("\n000"), r.out());
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (java.net.SocketException reset) {
                first = -1; // reset: closed all the same
            }
            assertEquals(-1, first, "not a byte of HTTP for an address not allowed");
        }
        assertEquals(before + 2, m.value(Metrics.CONNECTIONS, HealthServer.LISTENER, "DENY", "IP_NOT_ALLOWED"));
        // and audited, as every listener's refusals are (one event per source and refusal window)
        org.junit.jupiter.api.Assertions.assertNotNull(fx.awaitEvent(
                jp.sekisho.audit.EventType.CONNECTION_REFUSED,
                e -> "IP_NOT_ALLOWED".equals(e.event().reason())
                        && "127.0.0.2".equals(e.event().sourceIp())
                        && Integer.valueOf(port).equals(e.event().listenerPort())));
    }

    @Test
    void aStaleCrlMakesTheNodeRefusingAndHaproxyTakesItOutUntilTheCrlIsRenewed() throws Exception {
        int lbPort = freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(
                cfg,
                "global\n  maxconn 50\n"
                        + "defaults\n  mode http\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n"
                        + "frontend lb\n  bind 127.0.0.1:" + lbPort + "\n  default_backend gw\n"
                        + "backend gw\n  option httpchk GET /health\n  http-check expect status 200\n"
                        + "  server node 127.0.0.1:" + port + " check inter 200ms fall 1 rise 1\n");
        Process haproxy = new ProcessBuilder(Procs.which("haproxy"), "-f", cfg.toString(), "-db")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        try {
            String lb = "http://127.0.0.1:" + lbPort + "/health";
            awaitBody(lb, "\"status\":\"UP\"", haproxy);

            pki.authority().setCrlValidity(Duration.ofSeconds(1));
            pki.authority().resignCrl();
            // past the nextUpdate (whole seconds in the CRL): the node says so
            Procs.Result direct = await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> curl("http://127.0.0.1:" + port + "/health"),
                            r -> r.out().endsWith("\n503"));
            assertTrue(direct.out().endsWith("\n503"), direct.out());
            assertTrue(
                    direct.out()
                            .startsWith(
                                    "{\"status\":\"REFUSING\",\"node\":\"gwhealth\",\"reasons\":[\"CRL_EXPIRED\"]}"),
                    direct.out());
            // fail closed meanwhile: the revocation status of alice's certificate is unknown
            Curl.Response refused = Curl.get(pki.caFile(), alice, null, fx.url("admin", "/api/v1/whoami"));
            assertNotEquals(200, refused.status(), refused.raw());
            // haproxy's own 503 once its check marked the node down
            awaitBody(lb, "No server is available", haproxy);

            pki.authority().setCrlValidity(Duration.ofDays(30));
            pki.authority().resignCrl();
            awaitBody(lb, "\"status\":\"UP\"", haproxy);
            assertEquals(
                    200,
                    Curl.get(pki.caFile(), alice, null, fx.url("admin", "/api/v1/whoami"))
                            .status());
        } finally {
            pki.authority().setCrlValidity(Duration.ofDays(30));
            pki.authority().resignCrl();
            haproxy.destroy();
            if (!haproxy.waitFor(5, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly();
            }
        }
    }

    private static void awaitBody(String url, String part, Process haproxy) throws Exception {
        String[] last = {""};
        try {
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!haproxy.isAlive()) {
                            fail("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
                        }
                        last[0] = curl(url).out();
                        return last[0].contains(part);
                    });
        } catch (ConditionTimeoutException e) {
            fail("no answer containing " + part + " within 10 s; last: " + last[0] + "\nhaproxy log:\n"
                    + Files.readString(dir.resolve("haproxy.log")));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
