package jp.sekisho.client.policy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliException;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.support.GatewayNode;
import jp.sekisho.gateway.support.GatewayProcess;
import jp.sekisho.gateway.transfer.TransferWorld;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 4: a route is removed with the real {@code sekisho routes delete} on node A, and node B
 * (another gateway process on the same PostgreSQL) closes the route's sender address before TLS
 * within a second; a deleted relay route's listener opens to nobody. The deletion is audited, its id
 * is not reused, an SQL "undelete" reads as tampered, and {@code routes apply --prune} deletes what
 * the file leaves out (without it, it only says so).
 */
class RouteDeletionEndToEndTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static ExternalPostgres pg;
    static GatewayFixture gwA;
    static GatewayProcess gwB;

    static final String LISTENERS = """
              transfer:  { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32] }
              admin:     { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
              relay-web: { kind: relay, bind: 127.0.0.1, port: 0, allow: [] }
            """;

    static final String KEEP = """
              - id: keep-route
                listener: transfer
                approval: R-del
                senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                recipients: [certs/contractor-enc.pem]
            """;
    static final String RETIRED = """
              - id: retired
                listener: transfer
                approval: R-del
                senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.3/32] }]
                receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                recipients: [certs/contractor-enc.pem]
            """;
    static final String RETIRED_WEB = """
              - id: retired-web
                kind: relay
                listener: relay-web
                approval: R-del
                terminal-mode: tls
                terminals: [{ allow: [127.0.0.4/32] }]
                upstream: { url: "https://127.0.0.1:8443", ca: certs/ca.pem, host: "payroll.kurume.example" }
            """;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("certs"));
        for (String n : List.of("secretariat", "secretariat2", "operator", "city-sender", "contractor")) {
            pki.client(n);
        }
        pki.recipient("contractor-enc");
        pg = ExternalPostgres.create();
        String principals = """
                  - { subject: "CN=secretariat,O=Sekisho",  roles: [secretariat] }
                  - { subject: "CN=secretariat2,O=Sekisho", roles: [secretariat] }
                  - { subject: "CN=operator,O=Sekisho",     roles: [operator] }
                  - { subject: "CN=city-sender,O=Sekisho",  roles: [sender] }
                  - { subject: "CN=contractor,O=Sekisho",   roles: [receiver] }
                """;
        String store = GatewayFixture.installation(pg.url(), dir); // two nodes of one installation
        gwA = GatewayFixture.start(dir.resolve("a"), pki, "gw-a", LISTENERS, principals, store);
        gwB = GatewayProcess.start(
                GatewayFixture.writeConfig(dir.resolve("b"), pki, "gw-b", LISTENERS, principals, store));
        var approvals = gwA.gateway.policy().approvals();
        assertInstanceOf(
                DecisionOutcome.Applied.class,
                approvals.create(TransferWorld.draft("R-del", 100), TransferWorld.ALICE));
        assertInstanceOf(
                DecisionOutcome.AwaitingConfirmation.class,
                approvals.decide("R-del", Decision.APPROVE, "答申", TransferWorld.ALICE));
        assertInstanceOf(DecisionOutcome.Applied.class, approvals.confirm("R-del", "確認", TransferWorld.BOB));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gwB != null) {
            gwB.close();
        }
        if (gwA != null) {
            gwA.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aDeletedRouteIsClosedBeforeTlsOnTheOtherNodeWithinOneSecond() throws Exception {
        Path routes = file("routes.yml", KEEP + RETIRED + RETIRED_WEB);
        CliRun applied = as(gwA, "operator", "routes", "apply", routes.toString());
        assertEquals(0, applied.code(), applied.toString());
        int transferB = gwB.port("transfer");
        int relayB = gwB.port("relay-web");
        assertTrue(awaitOpen("127.0.0.3", transferB), "node B opens the retired route's sender address");
        assertTrue(awaitOpen("127.0.0.4", relayB), "node B opens the relay route's terminal address");

        CliRun noReason = as(gwA, "operator", "routes", "delete", "retired");
        assertEquals(2, noReason.code(), noReason.toString());
        assertTrue(noReason.err().contains("--reason"), noReason.toString());
        CliRun notOperator = as(gwA, "secretariat", "routes", "delete", "retired", "--reason", "x");
        assertEquals(1, notOperator.code(), notOperator.toString());
        assertTrue(notOperator.err().contains("ROLE_REQUIRED"), notOperator.toString());
        CliRun tooLong = as(gwA, "operator", "routes", "delete", "retired", "--reason", "x".repeat(501));
        assertEquals(2, tooLong.code(), tooLong.toString());
        GatewayClient operator = new GatewayClient(
                URI.create(gwA.url("admin", "/")),
                Identities.load(pki.dir().resolve("operator.p12"), new char[0]),
                List.of(pki.caCertificate()),
                Duration.ofSeconds(10));
        for (String body : List.of("{}", "{\"reason\":\"  \"}", "{\"reason\":\"a\u202Eb\"}")) {
            CliException e =
                    assertThrows(CliException.class, () -> operator.delete("api/v1/routes/retired", body), body);
            assertTrue(e.getMessage().startsWith("FIELD_INVALID"), body + ": " + e.getMessage());
        }
        assertFalse(closedBeforeTls("127.0.0.3", transferB), "refused deletions change nothing");

        CliRun deleted = as(gwA, "operator", "routes", "delete", "retired", "--reason", "契約終了 contract ended");
        long t0 = System.nanoTime();
        assertEquals(0, deleted.code(), deleted.toString());
        assertTrue(deleted.out().contains("route deleted: retired"), deleted.toString());
        long refusedAfter = awaitClosed("127.0.0.3", transferB, 1000);
        assertTrue(
                refusedAfter <= 1000,
                "node B still opens 127.0.0.3 " + (System.nanoTime() - t0) / 1_000_000 + " ms after");
        assertFalse(closedBeforeTls("127.0.0.1", transferB), "the kept route's address stays open");

        CliRun relayDeleted = as(gwA, "operator", "routes", "delete", "retired-web", "--reason", "端末撤去");
        assertEquals(0, relayDeleted.code(), relayDeleted.toString());
        assertTrue(awaitClosed("127.0.0.4", relayB, 1000) <= 1000, "the relay listener still opens its terminal");
        assertTrue(closedBeforeTls("127.0.0.1", relayB), "the relay listener opens to no address");
        // a deleted relay route no longer holds its listener: a new one (new id) may take it
        CliRun successor = as(
                gwA,
                "operator",
                "routes",
                "apply",
                file(
                                "successor.yml",
                                KEEP
                                        + RETIRED_WEB
                                                .replace("retired-web", "successor-web")
                                                .replace("127.0.0.4/32", "127.0.0.5/32"))
                        .toString());
        assertEquals(0, successor.code(), successor.toString());
        assertFalse(successor.out().contains("retired"), "deleted routes are not named as left out: " + successor);
        assertTrue(awaitOpen("127.0.0.5", relayB), "the successor's terminal opens on node B");
        assertTrue(closedBeforeTls("127.0.0.4", relayB), "the deleted relay route's terminal stays closed");

        RecordedEvent e = gwA.awaitEvent(
                EventType.ROUTE_CHANGED,
                ev -> "retired".equals(ev.event().routeId())
                        && String.valueOf(ev.event().detailJson()).contains("\"action\":\"delete\""));
        assertNotNull(e, "ROUTE_CHANGED action delete");
        assertEquals("CN=operator,O=Sekisho", e.event().principal().subject());
        assertTrue(
                e.event().detailJson().contains("契約終了 contract ended"),
                e.event().detailJson());
        assertTrue(
                e.event().detailJson().contains("127.0.0.3/32"),
                "the last spec: " + e.event().detailJson());

        CliRun listB = as(gwB, "operator", "routes", "list");
        assertEquals(0, listB.code(), listB.toString());
        assertTrue(listB.out().contains("keep-route") && !listB.out().contains("retired"), listB.toString());

        CliRun again = as(gwA, "operator", "routes", "delete", "retired", "--reason", "again");
        assertEquals(1, again.code(), again.toString());
        assertTrue(again.err().contains("ROUTE_UNKNOWN") && again.err().contains("already deleted"), again.toString());

        CliRun reuse = as(gwA, "operator", "routes", "apply", routes.toString());
        assertEquals(2, reuse.code(), reuse.toString()); // a routes file the gateway refuses is bad input
        assertTrue(reuse.err().contains("INVALID_ROUTE") && reuse.err().contains("not reused"), reuse.toString());
        assertTrue(closedBeforeTls("127.0.0.3", transferB), "a refused re-apply opens nothing");

        // clearing the deletion by SQL leaves a row that matches no seal: tampered, not live again
        try (Connection c = gwA.store.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            assertEquals(
                    1,
                    s.executeUpdate("UPDATE route SET deleted_at = NULL, deleted_by = NULL, deleted_reason = NULL "
                            + "WHERE id = 'retired'"));
        }
        var snapshot = gwA.gateway.policy().watcher().reload();
        assertTrue(
                snapshot.tamperedRoutes().containsKey("retired"),
                snapshot.tamperedRoutes().toString());
        assertEquals(
                "APPROVAL_TAMPERED",
                snapshot.stateOf(snapshot.routes().get("retired"), java.time.Instant.now())
                        .name());
        // node A has reloaded: the tampered row's sender address stays closed before TLS
        assertTrue(
                closedBeforeTls("127.0.0.3", gwA.gateway.port("transfer")),
                "an undeleted (tampered) row opens nothing before TLS");
    }

    @Test
    void applyWithoutPruneNamesWhatTheFileLeavesOutAndPruneDeletesIt() throws Exception {
        String second = KEEP.replace("keep-route", "prune-me");
        CliRun both = as(
                gwA,
                "operator",
                "routes",
                "apply",
                file("both.yml", KEEP + second).toString());
        assertEquals(0, both.code(), both.toString());
        Path keepOnly = file("keep.yml", KEEP);

        CliRun kept = as(gwA, "operator", "routes", "apply", keepOnly.toString());
        assertEquals(0, kept.code(), kept.toString());
        assertTrue(kept.out().contains("? prune-me kept"), kept.toString());
        CliRun dry = as(gwA, "operator", "routes", "apply", "--prune", "--dry-run", keepOnly.toString());
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().contains("- prune-me deleted") && dry.out().contains("dry run"), dry.toString());
        assertTrue(
                gwA.gateway.policy().watcher().reload().routes().containsKey("prune-me"), "a dry run deletes nothing");

        CliRun pruned = as(gwA, "operator", "routes", "apply", "--prune", keepOnly.toString());
        assertEquals(0, pruned.code(), pruned.toString());
        assertTrue(pruned.out().contains("- prune-me deleted") && pruned.out().contains("applied"), pruned.toString());
        assertFalse(gwA.gateway.policy().watcher().reload().routes().containsKey("prune-me"));
        assertNotNull(gwA.awaitEvent(
                EventType.ROUTE_CHANGED,
                ev -> "prune-me".equals(ev.event().routeId())
                        && String.valueOf(ev.event().detailJson()).contains("\"action\":\"prune\"")));
        CliRun list = as(gwA, "operator", "routes", "list");
        assertTrue(list.out().contains("keep-route") && !list.out().contains("prune-me"), list.toString());
    }

    private static Path file(String name, String entries) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, "routes:\n" + entries);
        return f;
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

    /**
     * Connects from {@code source} and sends nothing: the edge closes a refused address at once
     * (end of stream before any byte, so before TLS); an allowed one waits for our ClientHello.
     */
    static boolean closedBeforeTls(String source, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(300);
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the edge
        }
    }

    private static boolean awaitOpen(String source, int port) {
        try {
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !closedBeforeTls(source, port));
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Milliseconds until {@code source} is closed before TLS; more than {@code limitMs} when it is not by then. */
    private static long awaitClosed(String source, int port, long limitMs) {
        long t0 = System.nanoTime();
        try {
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .atMost(Duration.ofMillis(limitMs))
                    .until(() -> closedBeforeTls(source, port));
        } catch (ConditionTimeoutException e) {
            return limitMs + 1;
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
