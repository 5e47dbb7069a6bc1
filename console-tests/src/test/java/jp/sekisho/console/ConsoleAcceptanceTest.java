package jp.sekisho.console;

import static jp.sekisho.console.support.ConsoleWorld.AUDITOR;
import static jp.sekisho.console.support.ConsoleWorld.OPERATOR;
import static jp.sekisho.console.support.ConsoleWorld.SECRETARIAT;
import static jp.sekisho.console.support.ConsoleWorld.SECRETARIAT2;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.EventType;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.console.browser.ConsoleBrowser;
import jp.sekisho.console.support.Cli;
import jp.sekisho.console.support.ConsoleWorld;
import jp.sekisho.console.support.CrossSitePage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Issue 13's acceptance in Debian's headless Chromium: every person is a browser of their own logged
 * in by their client certificate, against one real gateway (mutual TLS, PostgreSQL), with the real
 * command line for what is not the console's (routes apply, send, audit verify).
 *
 * <p>The steps build on each other (one consultation, from recording to suspension), hence the order.
 * Screenshots of the pages, in Japanese, go to target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAcceptanceTest {

    static final String REF = "8福第301号";
    static final String ROUTE = "kurume-mimamori";
    static final Path SHOTS = Path.of(System.getProperty("basedir", ".")).resolve("target/console-screenshots");
    static final List<String> SHOT_NAMES =
            List.of("approvals-list.png", "approval-detail.png", "route.png", "audit-log.png");

    @TempDir
    static Path dir;

    static ConsoleWorld world;
    static Path residents;
    static Path filteredJsonl;

    /** Set when a step fails: the steps after it build on it, so they are skipped, not failed again. */
    static volatile boolean chainBroken;

    @RegisterExtension
    static final TestWatcher CHAIN = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            chainBroken = true;
        }
    };

    static void assumeChain() {
        assumeFalse(chainBroken, "an earlier step of the scenario failed: read that one first");
    }

    @BeforeAll
    static void start() throws Exception {
        for (String shot : SHOT_NAMES) {
            Files.deleteIfExists(SHOTS.resolve(shot)); // this run's, not an earlier one's
        }
        world = ConsoleWorld.start(dir);
        residents = dir.resolve("residents.csv");
        // the columns are data item codes: send maps each to an approved item (氏名 name, 住所 address)
        Files.writeString(
                residents,
                "name,address\n" + "山田 太郎,福岡県久留米市城南町15-3\n" + "田中 花子,福岡県久留米市東町1-1\n" + "佐藤 一郎,福岡県久留米市荒木町2-2\n",
                StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    static String approvalUrl() {
        return world.admin("/console/approvals/" + pathSegment(REF));
    }

    static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    @Order(1)
    void aSecretariatMemberRecordsAConsultationWithJapaneseLabelsAndEraDates() throws Exception {
        ConsoleBrowser a = world.browser(SECRETARIAT);
        a.open(world.admin("/console/approvals/new"));
        assertEquals(200, a.status(), a.bodyText());
        assertEquals("ja", a.driver().findElement(By.tagName("html")).getDomAttribute("lang"));
        WebElement form = a.await(By.id("consultation-form"));

        a.fill(form.findElement(By.name("ref")), REF);
        a.fill(form.findElement(By.name("title")), "高齢者見守り事業に係る個人情報の外部提供");
        a.fill(form.findElement(By.name("legalBasis")), "久留米市個人情報保護条例第10条第1項第2号");
        a.fill(form.findElement(By.name("departments")), "健康福祉部\n長寿支援課");
        a.fill(form.findElement(By.name("contractor")), "見守りサービス株式会社");
        tickByLabel(form, "氏名");
        tickByLabel(form, "住所");
        a.fill(form.findElement(By.name("maxRecords")), "1000");
        a.fill(form.findElement(By.name("validFrom")), "令和8年4月1日");
        a.fill(form.findElement(By.name("validUntil")), "令和9年3月31日");
        a.fill(form.findElement(By.name("conditionsText")), "目的外利用の禁止。再委託の禁止。");
        WebElement delete = form.findElement(By.name("deleteAfterDelivery"));
        if (!delete.isSelected()) {
            delete.click();
        }
        a.fill(form.findElement(By.name("deletionReportDue")), "令和9年4月30日");
        a.fill(form.findElement(By.name("meetingRef")), "令和8年度第3回審議会");
        a.clickAndWait(By.id("save"));

        assertEquals(approvalUrl(), withoutQuery(a.driver().getCurrentUrl()), a.bodyText());
        assertEquals(200, a.status());
        assertTrue(a.has(By.id("notice")), a.bodyText());
        String fields = a.await(By.id("fields")).getText();
        for (String expected : List.of(
                "高齢者見守り事業に係る個人情報の外部提供", "見守りサービス株式会社", "氏名", "住所", "令和8年4月1日 (2026-04-01)", "令和9年3月31日 (2027-03-31)")) {
            assertTrue(fields.contains(expected), "#fields lacks " + expected + ":\n" + fields);
        }
        assertFalse(fields.contains("生年月日"), "only the ticked items are approved:\n" + fields);
        assertTrue(
                statusBadge(a).getDomAttribute("class").contains("badge-PENDING"),
                statusBadge(a).getDomAttribute("class"));
    }

    @Test
    @Order(2)
    void theFirstMemberDecidesToApproveAndTheRecordWaitsForASecondMember() throws Exception {
        assumeChain();
        ConsoleBrowser a = world.browser(SECRETARIAT);
        a.open(approvalUrl());
        WebElement form = a.await(By.id("decision-form"));
        a.fill(form.findElement(By.name("decision")), "approve");
        a.fill(form.findElement(By.name("reason")), "答申どおり承認");
        a.clickAndWait(By.id("decide"));

        assertTrue(
                a.driver().getCurrentUrl().startsWith(approvalUrl()), a.driver().getCurrentUrl());
        assertTrue(a.has(By.id("notice")), a.bodyText());
        String pending = a.await(By.id("pending")).getText();
        assertTrue(pending.contains("第二の委員の確認待ち"), pending);

        // the route exists from now on, but nothing flows on one member's word
        Cli applied = world.applyRoute(ROUTE, REF);
        assertEquals(0, applied.code(), applied.toString());
        awaitRefusal("APPROVAL_PENDING");
    }

    @Test
    @Order(3)
    void aSecondMemberConfirmsFromTheirOwnBrowserAndASendIsAccepted() throws Exception {
        assumeChain();
        ConsoleBrowser b = world.browser(SECRETARIAT2);
        b.open(approvalUrl());
        assertTrue(b.bodyText().contains("第二の委員の確認待ち"), b.bodyText());
        WebElement form = b.await(By.id("confirm-form"));
        b.fill(form.findElement(By.name("reason")), "審議会の答申を確認しました");
        b.clickAndWait(By.id("confirm"));

        assertTrue(b.has(By.id("notice")), b.bodyText());
        assertTrue(
                statusBadge(b).getDomAttribute("class").contains("badge-APPROVED"),
                statusBadge(b).getDomAttribute("class"));
        String history = b.await(By.id("history")).getText();
        assertTrue(
                history.contains("CN=secretariat,O=Sekisho") && history.contains("CN=secretariat2,O=Sekisho"), history);
        assertTrue(JST_TIME.matcher(history).find(), "history times in JST: " + history);

        awaitRefusal("");
        Cli sent = world.send(ROUTE, residents);
        assertEquals(0, sent.code(), sent.toString());
    }

    @Test
    @Order(4)
    void theFirstMemberSuspendsFromThePageAndTheSameSendIsRefused() throws Exception {
        assumeChain();
        ConsoleBrowser a = world.browser(SECRETARIAT);
        a.open(approvalUrl());
        WebElement form = a.await(By.id("decision-form"));
        a.fill(form.findElement(By.name("decision")), "suspend");
        a.fill(form.findElement(By.name("reason")), "委託先で情報漏えいの疑い");
        a.clickAndWait(By.id("preview"));

        String effect = a.await(By.id("effect")).getText();
        assertTrue(effect.contains(ROUTE), "the preview names the route that stops: " + effect);
        assertTrue(effect.contains("運ばなくなります") || effect.contains("stop carrying data"), effect);
        assertTrue(statusBadge(a).getDomAttribute("class").contains("badge-APPROVED"), "a preview changes nothing");
        assertEquals("", world.routeRefusal(ROUTE), "a preview changes nothing");
        // the form comes back filled: deciding now applies what was previewed
        WebElement again = a.await(By.id("decision-form"));
        assertEquals("suspend", again.findElement(By.name("decision")).getDomProperty("value"));
        a.clickAndWait(By.id("decide"));

        assertTrue(a.has(By.id("notice")), a.bodyText());
        assertTrue(
                statusBadge(a).getDomAttribute("class").contains("badge-SUSPENDED"),
                statusBadge(a).getDomAttribute("class"));
        a.screenshot(SHOTS.resolve("approval-detail.png"));

        awaitRefusal("APPROVAL_SUSPENDED");
        Cli refused = world.send(ROUTE, residents);
        assertTrue(refused.code() != 0, refused.toString());
        assertTrue(refused.err().contains("APPROVAL_SUSPENDED"), refused.toString());

        a.open(world.admin("/console/approvals"));
        WebElement row = a.await(By.cssSelector("#approvals tr[data-ref='" + REF + "']"));
        assertTrue(row.findElement(By.cssSelector(".badge"))
                .getDomAttribute("class")
                .contains("badge-SUSPENDED"));
        assertTrue(row.getText().contains("令和8年4月1日 (2026-04-01)"), row.getText());
        a.screenshot(SHOTS.resolve("approvals-list.png"));

        a.open(world.admin("/console/routes/" + ROUTE));
        String state = a.await(By.id("route-state")).getText();
        assertTrue(state.contains("APPROVAL_SUSPENDED"), state);
        assertTrue(a.await(By.id("senders")).getText().contains("127.0.0.1/32"));
        a.screenshot(SHOTS.resolve("route.png"));
    }

    @Test
    @Order(5)
    void theAuditorFindsTheRefusalAndExportsItAsCsvAndJsonl() throws Exception {
        assumeChain();
        ConsoleBrowser auditor = world.browser(AUDITOR);
        auditor.open(world.admin("/console/audit"));
        WebElement filter = auditor.await(By.id("audit-filter"));
        auditor.fill(filter.findElement(By.name("reason")), "APPROVAL_SUSPENDED");
        auditor.submitAndWait(filter);
        auditor.await(By.id("events"));

        List<WebElement> rows = auditor.driver().findElements(By.cssSelector("#events tr.event"));
        assertFalse(rows.isEmpty(), auditor.bodyText());
        for (WebElement r : rows) {
            assertTrue(r.getText().contains("APPROVAL_SUSPENDED"), "filtered to that reason: " + r.getText());
            assertTrue(r.getDomAttribute("class").contains("deny"), "a refusal is highlighted");
        }
        assertTrue(rows.stream().anyMatch(r -> r.getText().contains(ROUTE)), auditor.bodyText());
        assertTrue(
                auditor.await(By.id("total")).getText().contains("件"),
                auditor.await(By.id("total")).getText());
        auditor.screenshot(SHOTS.resolve("audit-log.png"));

        auditor.driver().findElement(By.id("export-csv")).click();
        Path csv = auditor.awaitDownload(".csv");
        byte[] bytes = Files.readAllBytes(csv);
        assertArrayEquals(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, Arrays.copyOf(bytes, 3), "UTF-8 BOM");
        String text = new String(bytes, StandardCharsets.UTF_8);
        String refusal = text.lines()
                .filter(l -> l.contains("APPROVAL_SUSPENDED") && l.contains(ROUTE))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the refusal is not in the CSV:\n" + text));
        Matcher time = JST_TIME.matcher(refusal);
        assertTrue(time.find(), refusal);
        LocalDateTime shown = LocalDateTime.parse(time.group(), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        LocalDateTime nowJst = ZonedDateTime.now(JapaneseDates.TOKYO).toLocalDateTime();
        assertTrue(
                Duration.between(shown, nowJst).abs().compareTo(Duration.ofMinutes(30)) < 0,
                "the time is Tokyo's (" + shown + " vs now " + nowJst + " JST), not UTC");

        auditor.driver().findElement(By.id("export-jsonl")).click();
        filteredJsonl = auditor.awaitDownload(".jsonl");
        assertTrue(Files.readString(filteredJsonl, StandardCharsets.UTF_8).contains("APPROVAL_SUSPENDED"));
    }

    @Test
    @Order(6)
    void anOperatorSeesNoDecisionFormAndItsPostIsRefusedAndAudited() throws Exception {
        assumeChain();
        ConsoleBrowser operator = world.browser(OPERATOR);
        operator.open(approvalUrl());
        assertEquals(200, operator.status(), operator.bodyText());
        operator.await(By.id("status"));
        assertFalse(operator.has(By.id("decision-form")), "an operator decides nothing");
        assertFalse(operator.has(By.id("confirm-form")));

        // the same POST the secretariat's form makes, from the operator's browser, same origin
        Map<String, String> post = new LinkedHashMap<>();
        post.put("decision", "revoke");
        post.put("reason", "運用者による取消の試み");
        post.put("action", "decide");
        operator.driver().findElements(By.name("_csrf")).stream()
                .findFirst()
                .ifPresent(t -> post.put("_csrf", t.getDomProperty("value")));
        operator.submitForm(approvalUrl() + "/decision", post);

        assertEquals(403, operator.status(), operator.bodyText());
        assertTrue(operator.bodyText().contains("ROLE_REQUIRED"), operator.bodyText());
        assertNotNull(
                world.gw.awaitEvent(
                        EventType.REQUEST_DENIED,
                        e -> "ROLE_REQUIRED".equals(e.event().reason())
                                && e.event().principal() != null
                                && "CN=operator,O=Sekisho"
                                        .equals(e.event().principal().subject())),
                "the refusal is audited");
        assertStillSuspended();
    }

    @Test
    @Order(7)
    void aBrowserWithoutACertificateGetsNothing() throws Exception {
        try (ConsoleBrowser nobody = ConsoleBrowser.withoutCertificate(dir, world.pki.caFile())) {
            for (String url : List.of(world.admin("/console/"), approvalUrl())) {
                String error = nobody.networkErrorOpening(url);
                assertTrue(ConsoleBrowser.HANDSHAKE_REFUSED.contains(error), url + ": " + error);
                assertNull(nobody.status(), "no HTTP answer at all");
                assertFalse(nobody.has(By.id("whoami")));
            }
            // (Chromium's error page repeats the address, reference number included, but nothing of the record)
            assertFalse(nobody.has(By.id("fields")));
            assertFalse(nobody.driver().getPageSource().contains("高齢者見守り"));
        }
        assertNotNull(
                world.gw.awaitEvent(
                        EventType.TLS_FAILED,
                        e -> "NO_CERTIFICATE".equals(e.event().reason())),
                "the gateway refused the handshake for want of a certificate, and recorded it");
    }

    @Test
    @Order(8)
    void aCrossSitePostIsRefusedAndChangesNothing() throws Exception {
        assumeChain();
        // another site the secretariat member visits makes their browser post a revocation
        Map<String, String> revoke = Map.of("decision", "revoke", "reason", "cross-site", "action", "decide");
        try (CrossSitePage evil = CrossSitePage.posting(approvalUrl() + "/decision", revoke)) {
            ConsoleBrowser a = world.browser(SECRETARIAT);
            a.open(evil.url());
            await("the attacker's page posted to the gateway")
                    .atMost(ConsoleBrowser.WAIT)
                    .until(() -> a.driver().getCurrentUrl().startsWith(world.admin("/console/")));
            a.await(By.tagName("main"));

            assertEquals(403, a.status(), a.bodyText());
            assertTrue(a.bodyText().contains("CSRF_REJECTED"), a.bodyText());
        }
        assertNotNull(world.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "CSRF_REJECTED".equals(e.event().reason())
                        && e.event().principal() != null
                        && "CN=secretariat,O=Sekisho"
                                .equals(e.event().principal().subject())));
        assertStillSuspended();
    }

    @Test
    @Order(9)
    void theScreenshotsAreThereAndJapaneseCanBeDrawn() throws Exception {
        assumeChain();
        for (String shot : SHOT_NAMES) {
            Path f = SHOTS.resolve(shot);
            assertTrue(Files.isRegularFile(f) && Files.size(f) > 10_000, f + " missing or empty");
        }
        // Chromium draws Japanese only with a Japanese font installed (fonts-ipaexfont-gothic: .ci/run)
        Process fc = new ProcessBuilder("fc-list", ":lang=ja", "family")
                .redirectErrorStream(true)
                .start();
        String fonts = new String(fc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(fc.waitFor(30, TimeUnit.SECONDS));
        assertFalse(fonts.isBlank(), "no Japanese font: the screenshots would show boxes");
    }

    /**
     * The JSONL the auditor downloaded from the filtered page passes {@code audit verify --file}: it
     * carries each node's stretch of chain that holds the matches, anchored in signed checkpoints
     * (ProofRanges). Last in the order: the other steps do not build on it.
     */
    @Test
    @Order(10)
    void theFilteredJsonlExportVerifiesOffline() {
        assumeTrue(filteredJsonl != null, "the auditor's step did not download the JSONL");
        Cli verified = Cli.run(
                "audit",
                "verify",
                "--file",
                filteredJsonl.toString(),
                "--key",
                world.gw.dir.resolve("data/audit-signing.pub.pem").toString());
        assertEquals(0, verified.code(), verified.toString());
    }

    // ---- helpers

    static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    static final Pattern JST_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

    /** Ticks the data item checkbox whose label reads {@code label}, as a person picks it. */
    static void tickByLabel(WebElement form, String label) {
        for (WebElement box : form.findElements(By.cssSelector("input[type=checkbox][name=dataItems]"))) {
            if (labelOf(form, box).contains(label)) {
                if (!box.isSelected()) {
                    box.click();
                }
                return;
            }
        }
        throw new AssertionError("no data item labelled " + label + " in " + form.getText());
    }

    private static String labelOf(WebElement form, WebElement box) {
        String id = box.getDomAttribute("id");
        if (id != null && !id.isEmpty()) {
            List<WebElement> forId = form.findElements(By.cssSelector("label[for='" + id + "']"));
            if (!forId.isEmpty()) {
                return forId.get(0).getText();
            }
        }
        return box.findElement(By.xpath("ancestor::label[1]")).getText();
    }

    static WebElement statusBadge(ConsoleBrowser b) {
        return b.await(By.cssSelector("#status .badge, #status.badge"));
    }

    /** The reason code in a refusal the sender got ("" when the route's terms were given). */
    static String refusalReason(String refusal) {
        Matcher m = Pattern.compile("[A-Z][A-Z_]{3,}").matcher(refusal);
        while (m.find()) {
            if (m.group().startsWith("APPROVAL_") || m.group().startsWith("ROUTE_")) {
                return m.group();
            }
        }
        return refusal;
    }

    /** Waits until the sender's view of the route is {@code reason} ("" = data may flow). */
    static void awaitRefusal(String reason) {
        await("the sender's view of " + ROUTE + " becomes '" + reason + "'")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> refusalReason(world.routeRefusal(ROUTE)).equals(reason));
    }

    static void assertStillSuspended() throws IOException {
        ConsoleBrowser a = world.browser(SECRETARIAT);
        a.open(approvalUrl());
        assertTrue(statusBadge(a).getDomAttribute("class").contains("badge-SUSPENDED"), a.bodyText());
        assertEquals("APPROVAL_SUSPENDED", refusalReason(world.routeRefusal(ROUTE)));
    }
}
