package jp.sekisho.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gateway --config FILE} as its own process with the embedded audit store (PostgreSQL
 * included): the first run creates the database, a restart reuses it, and SIGTERM stops the gateway
 * after its shutdown hook ran (exit status 143). The start-up times are printed; the 5 s target is
 * measured by {@code bench/startup.sh}, not asserted here, since a busy CI machine is no benchmark.
 */
class GatewayProcessTest {

    @TempDir
    Path dir;

    /** Everything the last run printed, its shutdown included. */
    private String lastOutput = "";

    /** Every run's output, for the message of a failure that follows them all. */
    private final StringBuilder allOutput = new StringBuilder();

    @Test
    void startsOnAFreshDataDirRestartsOnItAndStopsOnSigterm() throws Exception {
        Path cfg = config();
        long first = startAndStop(cfg);
        long again = startAndStop(cfg);
        System.out.printf(
                "gateway start-up (fresh JVM, embedded PostgreSQL): first run with initdb %d ms, restart %d ms%n",
                first, again);
        assertTrue(Files.isDirectory(dir.resolve("data/pg")), "the embedded store lives under data-dir");
        assertEquals(2, stoppedEvents(cfg), "each SIGTERM-ed run recorded GATEWAY_STOPPED:\n" + allOutput);
    }

    /**
     * SIGTERM (systemctl stop) runs the JVM's shutdown hooks all at once: the gateway's (which writes
     * its last events, GATEWAY_STOPPED among them, and flushes the audit log) and the embedded store's
     * (which stops PostgreSQL). The store's waits for the gateway's; before it did, a stop could end
     * with "events, already acknowledged to their callers, were NOT written". Each run is stopped
     * right after it started, when the race was tightest, several times over.
     */
    @Test
    void aSigtermWritesEveryLastAuditEventBeforeTheEmbeddedStoreStops() throws Exception {
        Path cfg = config();
        int runs = 4;
        for (int i = 0; i < runs; i++) {
            startAndStop(cfg);
            assertFalse(lastOutput.contains("NOT written"), lastOutput);
            assertFalse(lastOutput.contains("still unavailable at shutdown"), lastOutput);
        }
        assertEquals(runs, stoppedEvents(cfg), "every run's GATEWAY_STOPPED is in the audit log:\n" + allOutput);
    }

    /** A gateway.yml on the embedded store, with the PKI it names, in the test's folder. */
    private Path config() throws java.io.IOException {
        TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Path cfg = dir.resolve("gateway.yml");
        Files.writeString(
                cfg,
                "node-id: gw1\n"
                        + "tls: { certificate: pki/gateway.pem, key: pki/gateway.key, trust-anchors: [pki/ca.pem], crls: [pki/crl.pem] }\n"
                        + "listeners:\n"
                        + "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n");
        return cfg;
    }

    /** The GATEWAY_STOPPED events in the store {@code cfg} uses, read offline as an operator would. */
    private static long stoppedEvents(Path cfg) {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        int code = cmd.execute("search", "--config", cfg.toString(), "--type", "GATEWAY_STOPPED", "--json");
        assertEquals(0, code, out.toString());
        return out.toString().lines().filter(l -> l.contains("GATEWAY_STOPPED")).count();
    }

    private long startAndStop(Path cfg) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // its output goes to a file: a pipe read while the process exits can be closed under the reader
        Path log = Files.createTempFile(dir, "gateway-", ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        GatewayCommand.class.getName(),
                        "--config",
                        cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            await("the listening line")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> listening(log) != null || !p.isAlive());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String listening = listening(log);
            assertNotNull(listening, "no listening line; output:\n" + Files.readString(log));
            assertTrue(listening.contains(", admin https://127.0.0.1:"), listening);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gateway did not stop on SIGTERM");
            lastOutput = Files.readString(log);
            allOutput.append(lastOutput).append("----\n");
            // the JVM ends a SIGTERM-ed process with 128+15 after running the shutdown hook that stops the gateway
            assertEquals(143, p.exitValue(), lastOutput);
            return ms;
        } finally {
            p.destroyForcibly();
        }
    }

    private static String listening(Path log) throws java.io.IOException {
        return Files.readString(log)
                .lines()
                .filter(l -> l.startsWith("Sekisho gateway gw1 listening: transfer https://127.0.0.1:"))
                .findFirst()
                .orElse(null);
    }
}
