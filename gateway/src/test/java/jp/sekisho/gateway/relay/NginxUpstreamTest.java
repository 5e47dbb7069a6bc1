package jp.sekisho.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.NginxUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay tests' upstream on its own, with curl: it serves its pages, takes a PUT whole, and lets
 * in only a client certificate from the CA it was given (the gateway's); the process is gone after close.
 */
class NginxUpstreamTest {

    @TempDir
    Path dir;

    @Test
    void servesOnlyClientsOfTheGatewaysCaAndTakesAPutWhole() throws Exception {
        TestPki gatewayCa = TestPki.create(Files.createDirectories(dir.resolve("gw-pki")));
        TestPki upstreamCa = TestPki.create(Files.createDirectories(dir.resolve("up-pki")));
        Credential gatewayClient = gatewayCa.client("gateway-client");
        Credential stranger = upstreamCa.client("stranger");
        java.util.List<ProcessHandle> processes;
        try (NginxUpstream n = NginxUpstream.start(dir.resolve("nginx"), upstreamCa, gatewayCa.caFile())) {
            Procs.Result page = curl(upstreamCa, gatewayClient, "-sS", n.url() + "/");
            assertTrue(page.ok() && page.out().contains(NginxUpstream.INDEX_TEXT), page.out() + n.errorLog());
            Procs.Result payroll = curl(upstreamCa, gatewayClient, "-sS", n.url() + "/payroll/list.html");
            assertTrue(payroll.out().contains(NginxUpstream.PAYROLL_PAGE), payroll.out() + n.errorLog());
            Procs.Result echo = curl(
                    upstreamCa, gatewayClient, "-sS", "-H", "X-Forwarded-For: 192.0.2.1", n.url() + "/echo-headers");
            assertTrue(echo.out().startsWith("192.0.2.1||127.0.0.1|"), echo.out() + n.errorLog());
            assertTrue(echo.out().contains("CN=gateway-client"), echo.out());

            Procs.Result noCert = curl(upstreamCa, null, "-s", "-o", "/dev/null", "-w", "%{http_code}", n.url() + "/");
            assertEquals("400", noCert.out().trim(), "nginx answers 400 without a client certificate");
            Procs.Result otherCa =
                    curl(upstreamCa, stranger, "-s", "-o", "/dev/null", "-w", "%{http_code}", n.url() + "/");
            assertEquals("400", otherCa.out().trim(), "a client certificate of another CA is not let in");

            String sha = n.writeBig("8m.bin", 8L << 20);
            Path got = dir.resolve("8m.got");
            Procs.Result big = curl(upstreamCa, gatewayClient, "-sS", "-o", got.toString(), n.url() + "/big/8m.bin");
            assertTrue(big.ok(), big.out() + n.errorLog());
            assertEquals(sha, sha256(got));
            Procs.Result put = curl(
                    upstreamCa,
                    gatewayClient,
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-T",
                    got.toString(),
                    n.url() + "/upload/8m.bin");
            assertEquals("201", put.out().trim(), put.out() + n.errorLog());
            assertEquals(sha, sha256(n.uploaded("8m.bin")));
            processes = n.processes();
            assertTrue(processes.size() >= 3, "master and two workers: " + processes);
        }
        assertFalse(processes.stream().anyMatch(ProcessHandle::isAlive), "no nginx process is left after close");
    }

    static Procs.Result curl(TestPki serverCa, Credential client, String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                "curl", "--max-time", "30", "--cacert", serverCa.caFile().toString()));
        if (client != null) {
            cmd.addAll(java.util.List.of(
                    "--cert",
                    client.certificateFile().toString(),
                    "--key",
                    client.keyFile().toString()));
        }
        cmd.addAll(java.util.List.of(args));
        return Procs.run(cmd, 60);
    }

    static String sha256(Path f) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] b = new byte[1 << 16];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
