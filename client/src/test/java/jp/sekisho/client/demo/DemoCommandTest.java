package jp.sekisho.client.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.client.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job, as the README runs it (smaller file, free ports): every step, the refusal at the end. */
class DemoCommandTest {

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theDemoRunsTheHandOffAndEndsWithTheSuspendedRouteRefused() throws Exception {
        Path dir = tmp.resolve("demo");
        CliRun run = CliRun.of(
                "demo",
                "--dir",
                dir.toString(),
                "--records",
                "3000",
                "--transfer-port",
                Integer.toString(freePort()),
                "--admin-port",
                Integer.toString(freePort()));
        assertEquals(0, run.code(), run.toString());
        String out = run.out();
        assertTrue(out.contains("SAME_PERSON"), "the two-person rule is shown");
        assertTrue(out.contains("signature: valid"), "the receipt verifies");
        assertTrue(out.contains("identical"), "byte for byte");
        assertTrue(out.contains("spool") && out.contains("is empty"), "nothing left behind");
        assertTrue(out.contains("TRANSFER_PURGED") && out.contains("OK: "), "audit trail and its verification");
        assertTrue(out.contains("closed by the gateway before any TLS byte"), "127.0.0.2 refused before TLS");
        assertTrue(out.contains("APPROVAL_SUSPENDED"), "the send after suspension is refused");
        assertTrue(Files.exists(dir.resolve("certs/ca.pem")) && Files.exists(dir.resolve("certs/ca.key")));
        for (String name : new String[] {
            "gateway",
            "city-sender",
            "contractor",
            "contractor-enc",
            "secretariat",
            "secretariat2",
            "auditor",
            "operator"
        }) {
            assertTrue(Files.exists(dir.resolve("certs/" + name + ".p12")), name);
        }
        assertTrue(Files.exists(dir.resolve("gateway.yml")) && Files.exists(dir.resolve("routes.yml")));
        assertTrue(Files.exists(dir.resolve("inbox/kyufukin-furikomi.csv")));

        CliRun again = CliRun.of(
                "demo",
                "--dir",
                dir.toString(),
                "--records",
                "10",
                "--transfer-port",
                Integer.toString(freePort()),
                "--admin-port",
                Integer.toString(freePort()));
        assertEquals(0, again.code(), "a second run replaces the previous demo: " + again);

        Path other = Files.createDirectories(tmp.resolve("not-a-demo"));
        Files.writeString(other.resolve("precious.txt"), "keep me");
        CliRun refused = CliRun.of("demo", "--dir", other.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(Files.exists(other.resolve("precious.txt")), "a folder that is not a demo is never deleted");
    }
}
