package jp.sekisho.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.Curl;
import jp.sekisho.gateway.support.GatewayProcess;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a gateway on the embedded store leaves its PostgreSQL running (zonky starts
 * it through pg_ctl, outside the JVM); the next {@code gateway --config FILE} must stop that server
 * and come back by itself, while a second gateway on a live one's data folder is still refused.
 * The restart time is printed; the target is 10 s on a quiet machine, the assertion allows
 * 30 s for a loaded CI host.
 */
class GatewayCrashRestartTest {

    @TempDir
    Path dir;

    private TestPki pki;
    private Credential nobody;
    private Path cfg;

    @BeforeEach
    void config() throws IOException {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        nobody = pki.client("nobody");
        cfg = dir.resolve("gateway.yml");
        Files.writeString(
                cfg,
                "node-id: gw1\n"
                        + "tls: { certificate: pki/gateway.pem, key: pki/gateway.key, trust-anchors: [pki/ca.pem], crls: [pki/crl.pem] }\n"
                        + "listeners:\n"
                        + "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n");
    }

    @Test
    void afterKill9TheGatewayComesBackByItselfAndStopsTheLeftOverPostgres() throws Exception {
        GatewayProcess crashed = GatewayProcess.start(cfg);
        long leftPid = postmasterPid();
        ProcessHandle left = ProcessHandle.of(leftPid).orElseThrow();
        try {
            crashed.kill();
            assertTrue(left.isAlive(), "as in real life, the embedded PostgreSQL outlives kill -9 of the gateway");

            long t0 = System.nanoTime();
            try (GatewayProcess again = GatewayProcess.start(cfg)) {
                Curl.Response health = Curl.get(pki.caFile(), nobody, null, again.url("admin", "/health"));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf(
                        "gateway restart after kill -9 (left-over PostgreSQL pid %d stopped, store started again,"
                                + " /health answered): %d ms%n",
                        leftPid, ms);
                assertEquals(200, health.status(), health.raw());
                assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
                assertTrue(ms < 30_000, "restart took " + ms + " ms");
                assertNotEquals(leftPid, postmasterPid(), "a new server runs the store");
                Awaitility.await("the left-over server has exited")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> gone(left));
            }
        } finally {
            if (left.isAlive()) {
                left.destroy(); // a failed run must not leave a server behind
            }
        }
    }

    /** kill -9 while initdb creates the store: the next start discards the half-made cluster and serves. */
    @Test
    void afterKill9DuringInitdbTheNextStartCreatesTheStoreAgain() throws Exception {
        Process first = GatewayProcess.spawn(cfg);
        try {
            Awaitility.await("initdb under way")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> Files.exists(dir.resolve("data/pg.initdb"))
                            && Files.exists(dir.resolve("data/pg/PG_VERSION")));
        } finally {
            first.destroyForcibly();
            first.waitFor();
        }
        // the child's logs go nowhere in this module's tests: what the next start does is seen on disk
        Path sentinel = Files.writeString(dir.resolve("data/pg/half-made-by-the-killed-gateway"), "x");
        long t0 = System.nanoTime();
        try (GatewayProcess again = GatewayProcess.start(cfg)) {
            Curl.Response health = Curl.get(pki.caFile(), nobody, null, again.url("admin", "/health"));
            System.out.printf(
                    "gateway start after kill -9 during initdb (half-made cluster discarded and created again): %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertEquals(200, health.status(), health.raw());
            assertTrue(!Files.exists(sentinel), "the half-made cluster was discarded, not reused");
            assertTrue(!Files.exists(dir.resolve("data/pg.initdb")), "the creation completed this time");
        }
    }

    @Test
    void aSecondGatewayOnALiveGatewaysDataFolderIsRefusedNamingIt() throws Exception {
        try (GatewayProcess first = GatewayProcess.start(cfg)) {
            long pg = postmasterPid();
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> GatewayProcess.start(cfg));
            assertTrue(
                    refused.getMessage().contains("in use by a running gateway (pid " + first.pid() + ","),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains("稼働中の別のゲートウェイ (pid " + first.pid() + ")"), refused.getMessage());
            assertEquals(pg, postmasterPid(), "the live gateway's server was left alone");
            Curl.Response health = Curl.get(pki.caFile(), nobody, null, first.url("admin", "/health"));
            assertEquals(200, health.status(), health.raw());
        }
    }

    private long postmasterPid() throws IOException {
        String pidFile = Files.readString(dir.resolve("data/pg/postmaster.pid"), StandardCharsets.US_ASCII);
        return Long.parseLong(pidFile.lines().findFirst().orElseThrow().trim());
    }

    /** Exited, or a zombie nobody reaps (it is no child of ours). */
    private static boolean gone(ProcessHandle p) {
        if (!p.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }
}
