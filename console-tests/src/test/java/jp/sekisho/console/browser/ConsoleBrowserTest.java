package jp.sekisho.console.browser;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.EventType;
import jp.sekisho.console.support.ConsoleWorld;
import jp.sekisho.console.support.CrossSitePage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The harness itself, against a real gateway over mutual TLS: a browser is logged in as the
 * certificate it was given (the API and the console's frame say so), a cross-site page's POST reaches
 * the gateway as Chromium sends it and is refused, a browser without a certificate gets nothing, and
 * closing a browser leaves no process behind.
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
    void theConsoleKnowsThePersonByTheirCertificateAndSpeaksJapaneseFirst() throws Exception {
        ConsoleBrowser auditor = world.browser(ConsoleWorld.AUDITOR);
        auditor.open(world.admin("/console/"));

        assertEquals(200, auditor.status(), auditor.bodyText());
        assertEquals("ja", auditor.driver().findElement(By.tagName("html")).getDomAttribute("lang"));
        assertTrue(auditor.await(By.id("whoami")).getText().contains("CN=auditor,O=Sekisho"));
        List<String> nav = auditor.driver().findElements(By.cssSelector("#nav a")).stream()
                .map(a -> a.getDomAttribute("href"))
                .toList();
        assertEquals(List.of("/console/approvals", "/console/audit"), nav, "only what an auditor may open");

        auditor.clickAndWait(By.id("lang-switch"));
        assertEquals("en", auditor.driver().findElement(By.tagName("html")).getDomAttribute("lang"));
        auditor.clickAndWait(By.id("lang-switch"));
        assertEquals("ja", auditor.driver().findElement(By.tagName("html")).getDomAttribute("lang"));
    }

    @Test
    void aFormPostedFromAConsolePageIsSameOriginForTheGateway() throws Exception {
        ConsoleBrowser secretariat = world.browser(ConsoleWorld.SECRETARIAT);
        secretariat.open(world.admin("/console/"));
        // a path no controller serves: past the cross-site check, the router answers 404
        secretariat.submitForm(world.admin("/console/no-such-form"), Map.of("x", "1"));

        String page = secretariat.bodyText();
        assertFalse(
                page.contains("CSRF_REJECTED"),
                "Chromium's own same-origin POST was taken for another site's:\n" + page);
        assertEquals(404, secretariat.status(), page);
    }

    @Test
    void aPostAnotherSiteMakesTheBrowserSendIsRefused() throws Exception {
        String target = world.admin("/console/approvals/R-1/decision");
        try (CrossSitePage evil = CrossSitePage.posting(target, Map.of("decision", "revoke", "reason", "x"))) {
            ConsoleBrowser secretariat = world.browser(ConsoleWorld.SECRETARIAT);
            secretariat.open(evil.url());
            await().atMost(ConsoleBrowser.WAIT)
                    .until(() -> secretariat.driver().getCurrentUrl().equals(target));
            secretariat.await(By.id("content"));

            assertEquals(403, secretariat.status(), secretariat.bodyText());
            assertTrue(secretariat.bodyText().contains("CSRF_REJECTED"), secretariat.bodyText());
        }
        assertNotNull(world.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "CSRF_REJECTED".equals(e.event().reason())
                        && e.event().principal() != null
                        && "CN=secretariat,O=Sekisho"
                                .equals(e.event().principal().subject())));
    }

    @Test
    void aBrowserWithoutACertificateGetsNothing() throws Exception {
        try (ConsoleBrowser nobody = ConsoleBrowser.withoutCertificate(dir, world.pki.caFile())) {
            String error = nobody.networkErrorOpening(world.admin("/api/v1/whoami"));

            // no HTTP response at all: the handshake was refused, Chromium shows its own error page
            assertTrue(ConsoleBrowser.HANDSHAKE_REFUSED.contains(error), error);
            assertEquals(error, nobody.networkErrorShown(), "the error page says the same");
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
