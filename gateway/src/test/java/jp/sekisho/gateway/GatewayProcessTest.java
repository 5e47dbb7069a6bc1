package jp.sekisho.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gateway --config FILE} as its own process with the embedded audit store (PostgreSQL
 * included): the first run creates the database, a restart reuses it, and SIGTERM stops the gateway
 * after its shutdown hook ran (exit status 143). The start-up times are printed; the 5 s target is
 * measured by {@code bench/startup.sh}, not asserted here, since a busy CI machine is no benchmark.
 */
class GatewayProcessTest {

    @TempDir
    Path dir;

    @Test
    void startsOnAFreshDataDirRestartsOnItAndStopsOnSigterm() throws Exception {
        TestPki.create(Files.createDirectories(dir.resolve("pki"))); // the files gateway.yml names
        Path cfg = dir.resolve("gateway.yml");
        Files.writeString(
                cfg,
                "node-id: gw1\n"
                        + "tls: { certificate: pki/gateway.pem, key: pki/gateway.key, trust-anchors: [pki/ca.pem], crls: [pki/crl.pem] }\n"
                        + "listeners:\n"
                        + "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n");
        long first = startAndStop(cfg);
        long again = startAndStop(cfg);
        System.out.printf(
                "gateway start-up (fresh JVM, embedded PostgreSQL): first run with initdb %d ms, restart %d ms%n",
                first, again);
        assertTrue(Files.isDirectory(dir.resolve("data/pg")), "the embedded store lives under data-dir");
    }

    private long startAndStop(Path cfg) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        GatewayCommand.class.getName(),
                        "--config",
                        cfg.toString())
                .redirectErrorStream(true)
                .start();
        String listening = null;
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("Sekisho gateway gw1 listening: transfer https://127.0.0.1:")) {
                    listening = line;
                    break;
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertNotNull(listening, "no listening line; output:\n" + seen);
            assertTrue(listening.contains(", admin https://127.0.0.1:"), listening);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "gateway did not stop on SIGTERM");
            // the JVM ends a SIGTERM-ed process with 128+15 after running the shutdown hook that stops the gateway
            assertEquals(143, p.exitValue());
            return ms;
        } finally {
            p.destroyForcibly();
        }
    }
}
