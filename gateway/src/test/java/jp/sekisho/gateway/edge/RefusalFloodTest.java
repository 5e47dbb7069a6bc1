package jp.sekisho.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's flood: a host outside the allowlist (127.0.0.2; {@link FloodMain}, a separate process at
 * the lowest CPU priority) opens raw connections as fast as four threads can for 10 s while an allowed client (127.0.0.1) makes mutual-TLS requests. The allowed
 * client's latency must stay low, the flood must cost the audit store a bounded number of rows, and
 * every refusal must still be accounted for (the first of each window as its own event plus the
 * summaries' counts equal the refusals counted in the metrics).
 */
class RefusalFloodTest {

    static final int WINDOW_SECONDS = 2;
    static final long FLOOD_MILLIS = 10_000;

    @TempDir
    static Path dir;

    @Test
    void aRefusedFloodLeavesTheAllowedClientFastAndTheAuditStoreBounded() throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential alice = pki.client("alice");
        try (GatewayFixture fx = GatewayFixture.start(
                dir,
                pki,
                "gwflood",
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32, 127.0.0.3/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + alice.certificate().getSubjectX500Principal().getName() + "\", roles: [operator] }\n",
                "edge: { refusal-window: " + WINDOW_SECONDS
                        + "s, connections-per-second: 50, connection-burst: 200 }\n")) {
            InetSocketAddress gw = new InetSocketAddress("127.0.0.1", fx.gateway.port("transfer"));
            SSLContext tls = Tls.client(alice.pkcs12File(), pki.caFile());
            for (int i = 0; i < 30; i++) {
                request(tls, gw); // warm-up: JIT, TLS session cache
            }
            List<Long> before = measure(tls, gw, 2_000);

            // the attacker: another process at the lowest CPU priority (see FloodMain)
            Process flooder = new ProcessBuilder(
                            "nice",
                            "-n",
                            "19",
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            FloodMain.class.getName(),
                            "127.0.0.2",
                            "127.0.0.1",
                            Integer.toString(gw.getPort()),
                            Long.toString(FLOOD_MILLIS * 3))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            long t0 = System.nanoTime();
            // measure once the flood is under way (the flooding JVM starts first), then end it
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> fx.gateway
                                    .metrics()
                                    .value("sekisho_connections_total", "transfer", "DENY", "IP_NOT_ALLOWED")
                            > 1_000);
            List<Long> during = measure(tls, gw, FLOOD_MILLIS);
            if (pct(during, 95) >= 50) {
                // one more window while the flood still runs (it lasts three): on two shared cores a
                // neighbour's burst can cost one window its p95, while an unprotected gateway (0.3-2.6 s
                // medians, issue 12) fails both
                System.out.printf(
                        "flood: first window's p95 %.1f ms (n=%d); measuring a second%n",
                        pct(during, 95), during.size());
                during = measure(tls, gw, FLOOD_MILLIS);
            }
            flooder.getOutputStream().close();
            AtomicLong connects = new AtomicLong(Long.parseLong(
                    new String(flooder.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim()));
            assertEquals(0, flooder.waitFor(), "the flooding process ended");
            double floodSeconds = (System.nanoTime() - t0) / 1e9;

            // the last windows close WINDOW_SECONDS after their first refusal and the sweeper, running every
            // second, writes their summaries: wait until the log accounts for every refusal (judged below)
            long refused = awaitStable(fx, "IP_NOT_ALLOWED");
            try {
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(WINDOW_SECONDS + 20))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> accounted(refusalRows(fx)) >= refused);
            } catch (org.awaitility.core.ConditionTimeoutException notYet) {
                // the assertion below says by how much
            }
            List<RecordedEvent> rows = refusalRows(fx);
            long accounted = accounted(rows);
            long bound = 2 * ((long) Math.ceil(floodSeconds / WINDOW_SECONDS) + 2);
            System.out.printf(
                    "flood: %d connects from 127.0.0.2 in %.1f s (%.0f/s), %d refusals counted, %d audit rows (bound %d)%n"
                            + "allowed client over mTLS, new connection per request: before p50 %.1f ms p95 %.1f ms max %.1f ms (n=%d);"
                            + " during p50 %.1f ms p95 %.1f ms max %.1f ms (n=%d)%n",
                    connects.get(),
                    floodSeconds,
                    connects.get() / floodSeconds,
                    refused,
                    rows.size(),
                    bound,
                    pct(before, 50),
                    pct(before, 95),
                    pct(before, 100),
                    before.size(),
                    pct(during, 50),
                    pct(during, 95),
                    pct(during, 100),
                    during.size());
            assertTrue(connects.get() > 1000, "a flood: " + connects.get());

            // an allowed address opening connections faster than 50 a second (burst 200) is cut off before TLS
            long limited0 = fx.gateway
                    .metrics()
                    .value("sekisho_connections_total", "transfer", "DENY", "CONNECTION_RATE_LIMITED");
            for (int i = 0; i < 600; i++) {
                try (Socket s = new Socket()) {
                    s.setSoLinger(true, 0);
                    s.bind(new InetSocketAddress("127.0.0.3", 0));
                    s.connect(gw, 1000);
                } catch (java.io.IOException e) {
                    // reset: keep going
                }
            }
            long limited = awaitStable(fx, "CONNECTION_RATE_LIMITED") - limited0;
            System.out.printf(
                    "rate limit: 600 quick connects from allowed 127.0.0.3: %d refused CONNECTION_RATE_LIMITED%n",
                    limited);
            assertTrue(limited >= 600 - 200 - 50 * 5, "refused beyond the burst: " + limited);
            assertTrue(limited <= 400, "the burst was let through: " + limited);
            assertTrue(rows.size() <= bound, rows.size() + " audit rows for 127.0.0.2, bound " + bound);
            assertEquals(refused, accounted, "every refusal is in the audit log, as an event or in a summary's count");
            // 50 ms is a statement about the gateway, not about a machine too loaded to answer in 50 ms at all
            assumeTrue(
                    pct(before, 95) < 25,
                    "machine too loaded to judge the 50 ms bound: p95 before the flood " + pct(before, 95) + " ms");
            assertTrue(pct(during, 95) < 50, "allowed client's p95 during the flood: " + pct(during, 95) + " ms");
        }
    }

    /** The CONNECTION_REFUSED events for the flooding source, its queued events written first. */
    private static List<RecordedEvent> refusalRows(GatewayFixture fx) {
        fx.store.postgresLog().flush(Duration.ofSeconds(30));
        return fx.store
                .reader()
                .search(
                        AuditQuery.all()
                                .types(Set.of(EventType.CONNECTION_REFUSED))
                                .source("127.0.0.2"),
                        GatewayFixture.TEST_READER);
    }

    /** Refusals the rows account for: one each, or a summary's count. */
    private static long accounted(List<RecordedEvent> rows) {
        long n = 0;
        for (RecordedEvent r : rows) {
            String d = r.event().detailJson();
            n += d != null && d.contains("\"aggregated\":true")
                    ? ((BigDecimal) Json.parseObject(d).get("count")).longValueExact()
                    : 1;
        }
        return n;
    }

    /** Waits until the gateway has judged the last queued connects (the metric stops moving). */
    private static long awaitStable(GatewayFixture fx, String reason) throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 50; i++) {
            long now = fx.gateway.metrics().value("sekisho_connections_total", "transfer", "DENY", reason);
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(200);
        }
        return last;
    }

    /** Requests whoami over a new mTLS connection each time for {@code millis}; the latencies in ms·1000. */
    private static List<Long> measure(SSLContext tls, InetSocketAddress gw, long millis) throws Exception {
        List<Long> out = new ArrayList<>();
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            request(tls, gw);
            out.add((System.nanoTime() - t) / 1_000);
            Thread.sleep(20);
        }
        return out;
    }

    private static void request(SSLContext tls, InetSocketAddress gw) throws Exception {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
            s.setTcpNoDelay(true);
            s.connect(gw, 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] b = in.readAllBytes();
            String head = new String(b, 0, Math.min(b.length, 12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", head, new String(b, StandardCharsets.UTF_8));
        }
    }

    private static double pct(List<Long> micros, int p) {
        List<Long> s = new ArrayList<>(micros);
        Collections.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i))) / 1000.0;
    }
}
