package jp.sekisho.console.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.EventType;
import jp.sekisho.console.support.ConsoleWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness itself, against a real gateway over mutual TLS: a browser is logged in as the
 * certificate it was given, a browser without one gets nothing, and closing a browser leaves no
 * process behind.
 */
class ConsoleBrowserTest {

    @TempDir
    static Path dir;

    static ConsoleWorld world;

    @BeforeAll
    static void start() throws Exception {
        world = ConsoleWorld.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void theAuditorsBrowserIsLoggedInAsTheAuditor() throws Exception {
        ConsoleBrowser auditor = world.browser(ConsoleWorld.AUDITOR);
        auditor.open(world.admin("/api/v1/whoami"));

        assertEquals(200, auditor.status());
        String body = auditor.bodyText();
        assertTrue(body.contains("\"subject\":\"CN=auditor,O=Sekisho\""), body);
        assertTrue(body.contains("\"roles\":[\"AUDITOR\"]"), body);
        assertTrue(Files.size(auditor.screenshot(dir.resolve("whoami.png"))) > 1000);
    }

    @Test
    void aBrowserWithoutACertificateGetsNothing() throws Exception {
        try (ConsoleBrowser nobody = ConsoleBrowser.withoutCertificate(dir, world.pki.caFile())) {
            String error = nobody.networkErrorOpening(world.admin("/api/v1/whoami"));

            // no HTTP response at all: the handshake was refused, Chromium shows its own error page
            assertEquals("net::ERR_BAD_SSL_CLIENT_AUTH_CERT", error);
            assertNull(nobody.status(), "an HTTP status means the gateway answered");
            String page = nobody.driver().getPageSource();
            assertFalse(page.contains("CN="), page);
            assertFalse(page.contains("subject"), page);
        }
        assertNotNull(
                world.gw.awaitEvent(
                        EventType.TLS_FAILED,
                        e -> "NO_CERTIFICATE".equals(e.event().reason())),
                "the refused handshake is audited");
    }

    @Test
    void closingABrowserLeavesNoProcessBehind() throws Exception {
        ConsoleBrowser b = ConsoleBrowser.as(dir.resolve("throwaway"), world.pki.caFile(), world.pki.dir(), "operator");
        Path profile = b.userDataDir();
        b.open(world.admin("/api/v1/whoami"));
        assertTrue(b.bodyText().contains("CN=operator,O=Sekisho"), b.bodyText());
        assertFalse(pgrep(profile).isEmpty(), "pgrep sees the running browser (else the check below proves nothing)");

        b.close();

        assertEquals(List.of(), pgrep(profile), "processes left by the closed browser");
        assertEquals(List.of(), ConsoleBrowser.processesOf(profile));
    }

    /** {@code pgrep -f} for this profile's processes: their pids, none when pgrep exits 1. */
    private static List<String> pgrep(Path profile) throws Exception {
        Process p = new ProcessBuilder("pgrep", "-f", "--", "--user-data-dir=" + profile)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(p.exitValue() <= 1, "pgrep failed: " + out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
