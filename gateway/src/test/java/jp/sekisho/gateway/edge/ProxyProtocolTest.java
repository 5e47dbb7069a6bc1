package jp.sekisho.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.Curl;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROXY protocol behind a real HAProxy (Debian package). The gateway's transfer listener admits
 * 127.0.0.1 and 127.0.0.6 and trusts only 127.0.0.4 as a load balancer. HAProxy "lb" connects
 * from 127.0.0.4 with send-proxy-v2; HAProxy "rogue" connects from 127.0.0.6 (admitted, not trusted)
 * with send-proxy-v2 too.
 */
class ProxyProtocolTest {

    @TempDir
    static Path dir;

    static GatewayFixture fx;
    static TestPki pki;
    static Credential alice;
    static Process haproxy;
    static int lbPort;
    static int roguePort;

    @BeforeAll
    static void start() throws Exception {
        Procs.require("haproxy");
        Procs.require("curl");
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        alice = pki.client("alice");
        fx = GatewayFixture.start(
                dir,
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32, 127.0.0.6/32],\n"
                        + "              proxy-protocol: { trusted: [127.0.0.4/32] } }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + alice.certificate().getSubjectX500Principal().getName() + "\", roles: [sender] }\n");
        lbPort = freePort();
        roguePort = freePort();
        int gw = fx.gateway.port("transfer");
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(
                cfg,
                "global\n  maxconn 100\n"
                        + "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
                        + "frontend lb\n  bind 127.0.0.1:" + lbPort + "\n  default_backend gw_trusted\n"
                        + "backend gw_trusted\n  server gw 127.0.0.1:" + gw + " send-proxy-v2 source 127.0.0.4\n"
                        + "frontend rogue\n  bind 127.0.0.1:" + roguePort + "\n  default_backend gw_untrusted\n"
                        + "backend gw_untrusted\n  server gw 127.0.0.1:" + gw + " send-proxy-v2 source 127.0.0.6\n");
        haproxy = new ProcessBuilder(Procs.which("haproxy"), "-f", cfg.toString(), "-db")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        waitListening(lbPort);
        waitListening(roguePort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            if (!haproxy.waitFor(5, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly();
            }
        }
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void allowedOriginalAddressPassesThroughTheTrustedBalancer() throws Exception {
        // HAProxy's own address 127.0.0.4 is not on the allowlist: only the PROXY header's source can admit this
        Curl.Response r = Curl.get(pki.caFile(), alice, "127.0.0.1", "https://127.0.0.1:" + lbPort + "/api/v1/whoami");
        assertEquals(200, r.status(), r.raw() + "\nhaproxy log:\n" + Files.readString(dir.resolve("haproxy.log")));
        RecordedEvent e = fx.awaitEvent(
                EventType.CONNECTION_ACCEPTED,
                ev -> ev.event().detailJson() != null && ev.event().detailJson().contains("127.0.0.4"));
        assertNotNull(e, "CONNECTION_ACCEPTED relayed by 127.0.0.4");
        assertEquals("127.0.0.1", e.event().sourceIp());
    }

    @Test
    void disallowedOriginalAddressIsRefusedAlthoughTheBalancerIsTrusted() throws Exception {
        Curl.Response r = Curl.get(pki.caFile(), alice, "127.0.0.3", "https://127.0.0.1:" + lbPort + "/api/v1/whoami");
        assertNotEquals(200, r.status(), r.raw());
        RecordedEvent e = fx.awaitEvent(
                EventType.CONNECTION_REFUSED,
                ev -> "IP_NOT_ALLOWED".equals(ev.event().reason())
                        && "127.0.0.3".equals(ev.event().sourceIp()));
        assertNotNull(e, "CONNECTION_REFUSED IP_NOT_ALLOWED for the original client 127.0.0.3");
        assertTrue(e.event().detailJson().contains("127.0.0.4"), e.event().detailJson());
    }

    @Test
    void proxyHeaderFromAnUntrustedBalancerIsRefused() throws Exception {
        Curl.Response r =
                Curl.get(pki.caFile(), alice, "127.0.0.1", "https://127.0.0.1:" + roguePort + "/api/v1/whoami");
        assertNotEquals(200, r.status(), r.raw());
        assertNotNull(
                fx.awaitEvent(
                        EventType.CONNECTION_REFUSED,
                        ev -> "PROXY_NOT_TRUSTED".equals(ev.event().reason())
                                && "127.0.0.6".equals(ev.event().sourceIp())),
                "PROXY_NOT_TRUSTED from HAProxy at 127.0.0.6");
    }

    @Test
    void handWrittenProxyHeadersFromAnUntrustedPeerAreRefused() throws Exception {
        byte[] v1 = "PROXY TCP4 10.9.9.9 127.0.0.1 4444 443\r\n".getBytes(StandardCharsets.US_ASCII);
        assertClosedAfterSending("127.0.0.1", v1);
        byte[] v2 = {
            0x0D,
            0x0A,
            0x0D,
            0x0A,
            0x00,
            0x0D,
            0x0A,
            0x51,
            0x55,
            0x49,
            0x54,
            0x0A,
            0x21,
            0x11,
            0x00,
            0x0C,
            10,
            9,
            9,
            9,
            127,
            0,
            0,
            1,
            0x11,
            0x5c,
            0x01,
            (byte) 0xbb
        };
        assertClosedAfterSending("127.0.0.1", v2);
        long refusals =
                fx.gateway.metrics().value("sekisho_connections_total", "transfer", "DENY", "PROXY_NOT_TRUSTED");
        assertTrue(refusals >= 2, "refusals counted: " + refusals);
    }

    @Test
    void trustedBalancerWithoutAHeaderIsRefused() throws Exception {
        assertClosedAfterSending("127.0.0.4", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertNotNull(
                fx.awaitEvent(
                        EventType.CONNECTION_REFUSED,
                        ev -> "PROXY_HEADER_INVALID".equals(ev.event().reason())
                                && "127.0.0.4".equals(ev.event().sourceIp())),
                "PROXY_HEADER_INVALID from 127.0.0.4");
    }

    private static void assertClosedAfterSending(String from, byte[] bytes) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", fx.gateway.port("transfer")), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketException e) {
                b = -1; // reset: closed as well
            }
            assertEquals(-1, b, "the gateway answered instead of closing");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void waitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!haproxy.isAlive()) {
                fail("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        fail("haproxy did not listen on " + port + ": " + Files.readString(dir.resolve("haproxy.log")));
    }
}
