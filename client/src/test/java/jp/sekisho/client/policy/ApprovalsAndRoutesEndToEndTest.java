package jp.sekisho.client.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliException;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.support.GatewayNode;
import jp.sekisho.gateway.support.GatewayProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's acceptance, end to end: two gateway nodes (one in this JVM, one its own process) sharing one PostgreSQL,
 * the real `sekisho approvals` / `sekisho routes` commands over mutual TLS, and the sender's view of
 * the route through the transfer listener.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApprovalsAndRoutesEndToEndTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static ExternalPostgres pg;
    static GatewayFixture gwA;
    static GatewayProcess gwB;

    static final String REF = "2総政第158号";

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("certs"));
        for (String n : List.of("secretariat", "secretariat2", "operator", "auditor", "city-sender", "contractor")) {
            pki.client(n);
        }
        pki.recipient("contractor-enc");
        pg = ExternalPostgres.create();
        String listeners = """
                  transfer: { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32] }
                  admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
                """;
        String principals = """
                  - { subject: "CN=secretariat,O=Sekisho",  roles: [secretariat] }
                  - { subject: "CN=secretariat2,O=Sekisho", roles: [secretariat] }
                  - { subject: "CN=operator,O=Sekisho",     roles: [operator] }
                  - { subject: "CN=auditor,O=Sekisho",      roles: [auditor] }
                  - { subject: "CN=city-sender,O=Sekisho",  roles: [sender] }
                  - { subject: "CN=contractor,O=Sekisho",   roles: [receiver] }
                """;
        // both nodes share the database, so they share the key that seals its approval and route rows
        String store = GatewayFixture.installation(pg.url(), dir); // two nodes of one installation
        gwA = GatewayFixture.start(dir.resolve("a"), pki, "gw-a", listeners, principals, store);
        // the second node is another gateway process sharing the same PostgreSQL
        gwB = GatewayProcess.start(
                GatewayFixture.writeConfig(dir.resolve("b"), pki, "gw-b", listeners, principals, store));
        Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - id: kurume-benefit
                    listener: transfer
                    approval: 2総政第158号
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gwB != null) {
            gwB.close();
        }
        if (gwA != null) {
            gwA.close();
        }
        pg.close();
    }

    private static CliRun as(GatewayNode gw, String who, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--gateway";
        all[args.length + 1] = gw.url("admin", "");
        all[args.length + 2] = "--identity";
        all[args.length + 3] = pki.dir().resolve(who + ".p12").toString();
        return CliRun.of(all);
    }

    /** The sender asks a node's transfer listener for the route's terms; returns "OK" or the reason code. */
    private static String senderView(GatewayNode gw) {
        GatewayClient client = new GatewayClient(
                URI.create(gw.url("transfer", "/")),
                Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                List.of(pki.caCertificate()),
                Duration.ofSeconds(5));
        try {
            Map<String, Object> terms =
                    client.get("api/v1/routes/kurume-benefit/terms").object();
            assertEquals(REF, terms.get("approvalRef"));
            return "OK";
        } catch (CliException e) {
            return e.getMessage().split(":")[0];
        }
    }

    private static String awaitView(GatewayNode gw, String expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String seen = senderView(gw);
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(25);
            seen = senderView(gw);
        }
        return seen;
    }

    @Test
    @Order(1) // it starts from a gateway without routes
    void aRouteCarriesDataOnlyWhileItsApprovalIsInForceOnEveryNode() throws Exception {
        CliRun created = as(
                gwA,
                "secretariat",
                "approvals",
                "create",
                "--ref",
                REF,
                "--title",
                "特別定額給付金",
                "--legal-basis",
                "条例第10条第1項第2号",
                "--department",
                "総務部",
                "--contractor",
                "Contractor K.K.",
                "--items",
                "name,birth_date,address,bank_name,account_number",
                "--max-records",
                "305115",
                "--valid-from",
                "2020-01-01",
                "--valid-until",
                "2099-12-31",
                "--delete-after-delivery");
        assertEquals(0, created.code(), created.toString());

        // Before the routes exist, 127.0.0.1 is not on the transfer listener's allowlist at all: the
        // edge closes before TLS, and the client says so by its reason code first.
        assertEquals("IP_NOT_ALLOWED", senderView(gwA));

        CliRun senderApplies = as(
                gwA, "city-sender", "routes", "apply", dir.resolve("routes.yml").toString());
        assertEquals(1, senderApplies.code(), senderApplies.toString());
        assertTrue(senderApplies.err().contains("ROLE_REQUIRED"), senderApplies.toString());

        CliRun applied =
                as(gwA, "operator", "routes", "apply", dir.resolve("routes.yml").toString());
        assertEquals(0, applied.code(), applied.toString());
        assertTrue(applied.out().contains("+ kurume-benefit") && applied.out().contains("applied"), applied.toString());
        CliRun again =
                as(gwA, "operator", "routes", "apply", dir.resolve("routes.yml").toString());
        assertTrue(
                again.out().contains("= kurume-benefit unchanged")
                        && again.out().contains("nothing to change"),
                again.toString());
        // issue 18: compression: false travels from the file through the admin API, and back
        Path stock = dir.resolve("stock.yml");
        Files.writeString(stock, Files.readString(dir.resolve("routes.yml")) + "    compression: false\n");
        CliRun noCompression = as(gwA, "operator", "routes", "apply", stock.toString());
        assertEquals(0, noCompression.code(), noCompression.toString());
        assertTrue(noCompression.out().contains("compression"), noCompression.toString());
        CliRun shown = as(gwA, "operator", "routes", "show", "kurume-benefit");
        assertTrue(shown.out().matches("(?s).*compression:\\s+false.*"), shown.toString());
        CliRun back =
                as(gwA, "operator", "routes", "apply", dir.resolve("routes.yml").toString());
        assertTrue(back.out().contains("compression"), back.toString());
        CliRun shownBack = as(gwA, "operator", "routes", "show", "kurume-benefit");
        assertTrue(shownBack.out().matches("(?s).*compression:\\s+true.*"), shownBack.toString());

        // The route exists and the allowlist follows it on both nodes, but the approval is PENDING.
        assertEquals("APPROVAL_PENDING", awaitView(gwA, "APPROVAL_PENDING", Duration.ofSeconds(2)));
        assertEquals("APPROVAL_PENDING", awaitView(gwB, "APPROVAL_PENDING", Duration.ofSeconds(2)));

        CliRun senderDecides =
                as(gwA, "city-sender", "approvals", "decide", "--ref", REF, "--decision", "approve", "--reason", "x");
        assertEquals(1, senderDecides.code(), senderDecides.toString());
        assertTrue(senderDecides.err().contains("ROLE_REQUIRED"), senderDecides.toString());

        CliRun approve = as(
                gwA,
                "secretariat",
                "approvals",
                "decide",
                "--ref",
                REF,
                "--decision",
                "approve",
                "--reason",
                "答申どおり承認");
        assertEquals(0, approve.code(), approve.toString());
        assertTrue(approve.out().contains("second secretariat member"), approve.toString());
        assertEquals("APPROVAL_PENDING", senderView(gwA), "nothing flows on one person's word");

        CliRun selfConfirm = as(gwA, "secretariat", "approvals", "decide", "--ref", REF, "--confirm");
        assertEquals(1, selfConfirm.code(), selfConfirm.toString());
        assertTrue(selfConfirm.err().contains("SAME_PERSON"), selfConfirm.toString());

        CliRun confirm = as(gwB, "secretariat2", "approvals", "decide", "--ref", REF, "--confirm", "--reason", "確認");
        assertEquals(0, confirm.code(), confirm.toString());
        assertEquals("OK", awaitView(gwA, "OK", Duration.ofSeconds(1)));
        assertEquals("OK", awaitView(gwB, "OK", Duration.ofSeconds(1)));

        CliRun suspend = as(
                gwA, "secretariat", "approvals", "decide", "--ref", REF, "--decision", "suspend", "--reason", "委託先で事故");
        assertEquals(0, suspend.code(), suspend.toString());
        long t0 = System.nanoTime();
        assertEquals(
                "APPROVAL_SUSPENDED",
                awaitView(gwB, "APPROVAL_SUSPENDED", Duration.ofSeconds(1)),
                "the other node must stop within a second");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("suspension seen on the second node after " + ms + " ms");
        assertEquals("APPROVAL_SUSPENDED", senderView(gwA));

        CliRun revoke = as(
                gwB, "secretariat2", "approvals", "decide", "--ref", REF, "--decision", "revoke", "--reason", "契約解除");
        assertEquals(0, revoke.code(), revoke.toString());
        CliRun reinstate = as(
                gwA, "secretariat", "approvals", "decide", "--ref", REF, "--decision", "reinstate", "--reason", "再開");
        assertEquals(1, reinstate.code(), reinstate.toString());
        assertTrue(reinstate.err().contains("APPROVAL_FINAL"), reinstate.toString());
        assertEquals("APPROVAL_REVOKED", awaitView(gwB, "APPROVAL_REVOKED", Duration.ofSeconds(1)));

        CliRun show = as(gwA, "auditor", "approvals", "show", "--ref", REF);
        assertEquals(0, show.code(), show.toString());
        assertTrue(
                show.out().contains("承認 approve")
                        && show.out().contains("CN=secretariat2,O=Sekisho")
                        && show.out().contains("停止 suspend")
                        && show.out().contains("取消し revoke")
                        && show.out().contains("委託先で事故")
                        && show.out().contains("取消し REVOKED"),
                show.toString());

        // Every decision is in the audit log with who, before, after and why.
        RecordedEvent confirmed = gwA.awaitEvent(
                EventType.APPROVAL_CHANGED,
                e -> e.event().detailJson() != null
                        && e.event().detailJson().contains("\"confirmedBy\":\"CN=secretariat2"));
        assertNotNull(confirmed);
        assertEquals("gw-b", confirmed.nodeId(), "recorded by the node that took the confirmation");
        assertTrue(
                confirmed.event().detailJson().contains("\"before\":\"PENDING\"")
                        && confirmed.event().detailJson().contains("\"after\":\"APPROVED\""),
                confirmed.event().detailJson());
        assertNotNull(gwA.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "SAME_PERSON".equals(e.event().reason())
                        && "CN=secretariat,O=Sekisho"
                                .equals(e.event().principal().subject())));
        assertNotNull(gwA.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "APPROVAL_SUSPENDED".equals(e.event().reason())
                        && "kurume-benefit".equals(e.event().routeId())));
        assertNotNull(gwA.awaitEvent(
                EventType.ROUTE_CHANGED,
                e -> "kurume-benefit".equals(e.event().routeId())
                        && e.event().principal().subject().equals("CN=operator,O=Sekisho")));
    }

    @Test
    @Order(2)
    void datesOutsideThePeriodAreRefusedWithTheirOwnReasons() throws Exception {
        for (String[] p : List.of(
                new String[] {"R-past", "2020-01-01", "2020-12-31"},
                new String[] {"R-future", "2099-01-01", "2099-12-31"})) {
            assertEquals(
                    0,
                    as(
                                    gwA,
                                    "secretariat",
                                    "approvals",
                                    "create",
                                    "--ref",
                                    p[0],
                                    "--title",
                                    "t",
                                    "--legal-basis",
                                    "b",
                                    "--contractor",
                                    "c",
                                    "--items",
                                    "name",
                                    "--max-records",
                                    "1",
                                    "--valid-from",
                                    p[1],
                                    "--valid-until",
                                    p[2])
                            .code());
            assertEquals(
                    0,
                    as(
                                    gwA,
                                    "secretariat",
                                    "approvals",
                                    "decide",
                                    "--ref",
                                    p[0],
                                    "--decision",
                                    "approve",
                                    "--reason",
                                    "ok")
                            .code());
            assertEquals(
                    0,
                    as(gwA, "secretariat2", "approvals", "decide", "--ref", p[0], "--confirm")
                            .code());
        }
        CliRun list = as(gwA, "operator", "approvals", "list");
        assertTrue(
                list.out().contains("R-past")
                        && list.out().contains("APPROVAL_EXPIRED")
                        && list.out().contains("APPROVAL_NOT_YET_VALID"),
                list.toString());
        Files.writeString(dir.resolve("dated.yml"), """
                routes:
                  - id: past-route
                    listener: transfer
                    approval: R-past
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                  - id: future-route
                    listener: transfer
                    approval: R-future
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                """);
        assertEquals(
                0,
                as(gwA, "operator", "routes", "apply", dir.resolve("dated.yml").toString())
                        .code());
        CliRun routes = as(gwA, "operator", "routes", "list");
        assertTrue(routes.out().contains("past-route") && routes.out().contains("future-route"), routes.toString());
        GatewayClient sender = new GatewayClient(
                URI.create(gwA.url("transfer", "/")),
                Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                List.of(pki.caCertificate()),
                Duration.ofSeconds(5));
        assertTrue(assertThrows(CliException.class, () -> sender.get("api/v1/routes/past-route/terms"))
                .getMessage()
                .startsWith("APPROVAL_EXPIRED"));
        assertTrue(assertThrows(CliException.class, () -> sender.get("api/v1/routes/future-route/terms"))
                .getMessage()
                .startsWith("APPROVAL_NOT_YET_VALID"));

        Files.writeString(
                dir.resolve("unknown.yml"),
                Files.readString(dir.resolve("dated.yml")).replace("R-past", "R-none"));
        CliRun unknown = as(
                gwA, "operator", "routes", "apply", dir.resolve("unknown.yml").toString());
        assertEquals(1, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("APPROVAL_UNKNOWN") && unknown.err().contains("R-none"), unknown.toString());
    }
}
