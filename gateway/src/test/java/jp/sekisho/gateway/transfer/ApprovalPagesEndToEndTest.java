package jp.sekisho.gateway.transfer;

import static jp.sekisho.gateway.approval.ConsoleClient.error;
import static jp.sekisho.gateway.approval.ConsoleClient.row;
import static jp.sekisho.gateway.approval.ConsoleClient.section;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.approval.ApprovalLinks;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.ConsoleClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approvals pages with a route and real transfers: a consultation recorded and approved by two
 * secretariat members through the console, a route on it, a real upload counted in the list and
 * the detail, the preview of a suspension naming the route that would stop carrying data (and
 * changing nothing), then the suspension from the page and the same upload refused
 * APPROVAL_SUSPENDED.
 */
class ApprovalPagesEndToEndTest {

    static final String REF = "3福第７号";
    static final String STORED = "3福第7号";

    @TempDir
    static Path dir;

    static TransferWorld w;
    static ConsoleClient alice;
    static ConsoleClient bob;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        alice = new ConsoleClient(
                w.pki.dir().resolve("secretariat.p12"), w.pki.caFile(), path -> w.gw.url("admin", path));
        bob = new ConsoleClient(
                w.pki.dir().resolve("secretariat2.p12"), w.pki.caFile(), path -> w.gw.url("admin", path));
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    @Test
    void aSuspensionPreviewedAndDecidedFromThePageStopsTheRoute() throws Exception {
        LocalDate today = LocalDate.now(JapaneseDates.TOKYO);
        Map<String, List<String>> f = new HashMap<>();
        f.put("ref", List.of(REF));
        f.put("title", List.of("給付金の案内発送"));
        f.put("legalBasis", List.of("条例第10条第1項第2号"));
        f.put("contractor", List.of("株式会社九州データセンター"));
        f.put("dataItems", List.of("name", "address", "postal_code"));
        f.put("maxRecords", List.of("1000"));
        f.put("validFrom", List.of(JapaneseDates.era(today.minusDays(1))));
        f.put("validUntil", List.of(JapaneseDates.era(today.plusDays(30))));
        assertEquals(303, alice.post("/console/approvals", f).statusCode());
        assertEquals(303, alice.decide(REF, "approve", "第5回審議会で承認", "decide").statusCode());
        assertEquals(303, bob.confirm(REF).statusCode());
        w.routes("routes:\n" + TransferWorld.route("kurume-benefit", STORED, null));

        TusClient sender = w.client("city-sender");
        Path envelope = w.seal("benefit.csv.cms", 20_000, "contractor-enc", ContentCipher.AES_256_GCM);
        HttpResponse<String> created = sender.create(
                "kurume-benefit",
                Files.size(envelope),
                TusClient.metadata("benefit.csv.cms", TusClient.sha256(envelope), 42));
        assertEquals(201, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertEquals(204, sender.upload(location, envelope, 1 << 20).statusCode());
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> row(alice.get(ApprovalLinks.LIST).body(), STORED).contains(">42</td>"));
        String row = row(alice.get(ApprovalLinks.LIST).body(), STORED);
        assertTrue(
                row.contains("<td class=\"num transfers\">1</td>") && row.contains("<td class=\"num records\">42</td>"),
                row);
        assertTrue(row.contains("badge-APPROVED"), row);
        String usage = section(alice.get(ApprovalLinks.detail(STORED)).body(), "usage");
        assertTrue(
                usage.contains("<dd class=\"transfers\">1</dd>") && usage.contains("<dd class=\"records\">42</dd>"),
                usage);

        int decisions = w.gw.gateway.policy().approvals().history(STORED).size();
        HttpResponse<String> preview = alice.decide(STORED, "suspend", "", "preview");
        assertEquals(200, preview.statusCode(), preview.body());
        String effect = section(preview.body(), "effect");
        assertTrue(
                effect.contains("経路 kurume-benefit はデータを運ばなくなります / route kurume-benefit will stop carrying data"),
                effect);
        assertTrue(effect.contains("data-route=\"kurume-benefit\"") && effect.contains("stops"), effect);
        assertFalse(effect.contains("第二の委員の確認が必要"), "stopping never waits for a second member");
        assertTrue(
                preview.body().contains("id=\"status\" class=\"badge badge-APPROVED\""), "the preview changes nothing");
        assertEquals(
                ApprovalStatus.APPROVED,
                w.gw.gateway.policy().approvals().find(STORED).orElseThrow().status());
        assertEquals(
                decisions, w.gw.gateway.policy().approvals().history(STORED).size(), "no decision was recorded");
        assertEquals(
                201,
                sender.create("kurume-benefit", 10, TusClient.metadata("a.cms", "0".repeat(64), 1))
                        .statusCode(),
                "the route still carries data");

        HttpResponse<String> suspended = alice.decide(STORED, "suspend", "委託先で事故の疑い", "decide");
        assertEquals(303, suspended.statusCode(), suspended.body());
        String now = alice.get(ApprovalLinks.detail(STORED)).body();
        assertTrue(now.contains("id=\"status\" class=\"badge badge-SUSPENDED\""), now);
        assertTrue(now.contains("data-state=\"APPROVAL_SUSPENDED\""), now);
        HttpResponse<String> refused =
                sender.create("kurume-benefit", 10, TusClient.metadata("b.cms", "0".repeat(64), 1));
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("APPROVAL_SUSPENDED"), refused.body());

        HttpResponse<String> again = alice.decide(STORED, "suspend", "二重の停止", "preview");
        assertEquals(409, again.statusCode());
        assertTrue(error(again.body()).contains("ILLEGAL_TRANSITION"), again.body());
    }
}
