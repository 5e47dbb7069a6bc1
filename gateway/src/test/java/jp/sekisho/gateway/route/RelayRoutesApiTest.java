package jp.sekisho.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.relay.RelaySpec;
import jp.sekisho.gateway.transfer.Tls;
import jp.sekisho.gateway.transfer.TransferWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay routes through the real admin API (mutual TLS) into a real PostgreSQL: applied with the
 * batch routes' rules of idempotence and audit, refused where a listener or approval does not fit,
 * shown with their state, opening their relay listener's allowlist, detected when their row is
 * changed outside the gateway, and listed on the console's routes page.
 */
class RelayRoutesApiTest {

    static final String LISTENERS = TransferWorld.LISTENERS + """
              payroll-web: { kind: relay, bind: 127.0.0.1, port: 0, allow: [] }
              attendance:  { kind: relay, bind: 127.0.0.1, port: 0, allow: [], closed-network: true }
              spare-web:   { kind: relay, bind: 127.0.0.1, port: 0, allow: [] }
            """;

    static final String PAYROLL = """
              - id: kurume-payroll-web
                kind: relay
                listener: payroll-web
                approval: R-payroll
                terminal-mode: tls
                terminals: [{ allow: [127.0.0.1/32, 10.1.0.0/16] }]
                upstream: { url: "https://127.0.0.1:8443", ca: certs/ca.pem, host: "payroll.kurume.example" }
                methods: [GET, HEAD, POST]
                paths: [/payroll]
                hours: { days: [mon, tue, wed, thu, fri], from: "08:30", to: "18:00" }
            """;

    static final String ATTENDANCE = """
              - id: attendance-web
                kind: relay
                listener: attendance
                approval: R-payroll
                terminal-mode: http
                terminals: [{ allow: [10.9.0.0/16] }]
                upstream: { url: "http://127.0.0.1:8081", closed-network: true }
            """;

    @TempDir
    static Path dir;

    static TransferWorld w;
    static HttpClient operator;
    static HttpClient secretariat;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir, LISTENERS, TransferWorld.PRINCIPALS, List.of());
        w.approve("R-payroll", 1000);
        operator = client("operator");
        secretariat = client("secretariat");
        HttpResponse<String> r = apply(relays(ATTENDANCE), false);
        assertEquals(200, r.statusCode(), r.body());
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    static HttpClient client(String who) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The relay entries, read by the routes file as the CLI reads them (paths relative to the PKI's parent). */
    static List<RelayRoute> relays(String entries) throws Exception {
        Path f = dir.resolve("routes.yml");
        Files.writeString(f, "routes:\n" + entries);
        return RouteFile.read(f).relays();
    }

    static HttpResponse<String> apply(List<RelayRoute> relays, boolean dryRun) throws Exception {
        List<String> json = new ArrayList<>();
        relays.forEach(r -> json.add(RelaySpec.canonical(r)));
        return put("{\"routes\":[],\"relays\":[" + String.join(",", json) + "],\"dryRun\":" + dryRun + "}");
    }

    static HttpResponse<String> put(String body) throws Exception {
        return operator.send(
                HttpRequest.newBuilder(URI.create(w.gw.url("admin", "/api/v1/routes")))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(HttpClient c, String path) throws Exception {
        return c.send(
                HttpRequest.newBuilder(URI.create(w.gw.url("admin", path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> relayIn(String listJson, String id) {
        List<Object> relays = (List<Object>) Json.parseObject(listJson).get("relays");
        return relays.stream()
                .map(o -> (Map<String, Object>) o)
                .filter(m -> id.equals(m.get("id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no relay " + id + " in " + listJson));
    }

    static void asApp(String sql) throws Exception {
        try (Connection c = w.gw.store.database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate(sql), sql);
        }
    }

    @Test
    void aRelayRouteIsAppliedOnceAuditedShownAndOpensItsListener() throws Exception {
        List<RelayRoute> payroll = relays(PAYROLL);
        HttpResponse<String> dry = apply(payroll, true);
        assertEquals(200, dry.statusCode(), dry.body());
        assertTrue(dry.body().contains("\"applied\":false") && dry.body().contains("\"kind\":\"ADDED\""), dry.body());
        assertFalse(w.gw.gateway.policy().watcher().current().relays().containsKey("kurume-payroll-web"), "dry run");

        HttpResponse<String> first = apply(payroll, false);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().contains("\"applied\":true"), first.body());
        assertTrue(first.body().contains("+ kurume-payroll-web (relay, listener payroll-web"), first.body());
        assertNotNull(w.gw.awaitEvent(
                EventType.ROUTE_CHANGED,
                e -> "kurume-payroll-web".equals(e.event().routeId())
                        && "R-payroll".equals(e.event().approvalRef())
                        && e.event().detailJson().contains("\"kind\":\"relay\"")
                        && e.event().detailJson().contains("upstream=https://127.0.0.1:8443")));

        HttpResponse<String> again = apply(payroll, false);
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(
                again.body().contains("\"applied\":false") && again.body().contains("\"kind\":\"UNCHANGED\""),
                again.body());
        long changed = w
                .gw
                .store
                .reader()
                .search(
                        jp.sekisho.audit.read.AuditQuery.all()
                                .types(java.util.Set.of(EventType.ROUTE_CHANGED))
                                .limit(1000),
                        jp.sekisho.gateway.support.GatewayFixture.TEST_READER)
                .stream()
                .filter(e -> "kurume-payroll-web".equals(e.event().routeId()))
                .count();
        assertEquals(1, changed, "applying the same file twice records nothing the second time");

        Map<String, Object> listed = relayIn(get(secretariat, "/api/v1/routes").body(), "kurume-payroll-web");
        assertEquals("ACTIVE", listed.get("state"));
        assertEquals("payroll-web", listed.get("listener"));
        assertEquals("tls", listed.get("mode"));
        Map<?, ?> upstream = (Map<?, ?>) listed.get("upstream");
        assertEquals("https://127.0.0.1:8443", upstream.get("url"));
        assertTrue(String.valueOf(upstream.get("caPem")).startsWith("-----BEGIN CERTIFICATE-----"), listed.toString());
        Map<?, ?> limits = (Map<?, ?>) listed.get("limits");
        assertEquals(List.of("/payroll"), limits.get("pathPrefixes"));
        assertEquals(
                Map.of("days", List.of("mon", "tue", "wed", "thu", "fri"), "from", "08:30", "to", "18:00"),
                limits.get("hours"));

        HttpResponse<String> one = get(secretariat, "/api/v1/routes/kurume-payroll-web");
        assertEquals(200, one.statusCode(), one.body());
        assertTrue(
                one.body().contains("\"state\":\"ACTIVE\"") && one.body().contains("payroll.kurume.example"),
                one.body());

        var allowlist = w.gw.gateway.allowlists();
        assertTrue(allowlist.allows("payroll-web", InetAddress.getByName("10.1.2.3")), "the terminals' CIDRs");
        assertFalse(allowlist.allows("payroll-web", InetAddress.getByName("10.2.0.1")));
        assertFalse(allowlist.allows("transfer", InetAddress.getByName("10.1.2.3")), "only its own listener");
        assertFalse(allowlist.allows("spare-web", InetAddress.getByName("10.1.2.3")));
    }

    @Test
    void listenersApprovalsAndTheOtherKindAreJudgedAtApply() throws Exception {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(
                RELAY_ON("transfer", "tls"),
                "INVALID_ROUTE|listener 'transfer' is a listener of the Sekisho API, not a relay listener");
        refused.put(RELAY_ON("nowhere", "tls"), "UNKNOWN_LISTENER|not a listener of this gateway");
        refused.put(
                RELAY_ON("spare-web", "http"),
                "INVALID_ROUTE|terminal-mode http only on a listener marked closed-network: true");
        refused.put(
                RELAY_ON("attendance", "tls"),
                "INVALID_ROUTE|listener 'attendance' already carries relay route attendance-web");
        refused.put(
                RELAY_ON("spare-web", "tls").replace("approval: R-payroll", "approval: R-none"),
                "APPROVAL_UNKNOWN|approval R-none is unknown");
        for (var c : refused.entrySet()) {
            String[] want = c.getValue().split("\\|");
            HttpResponse<String> r = apply(relays(c.getKey()), false);
            assertEquals(want[0].equals("APPROVAL_UNKNOWN") ? 409 : 400, r.statusCode(), r.body());
            assertTrue(r.body().contains(want[0]) && r.body().contains(want[1]), c.getKey() + " -> " + r.body());
        }
        assertFalse(w.gw.gateway.policy().watcher().current().relays().containsKey("spare"), "nothing applied");

        // a batch route may not name a relay listener, nor take a relay route's id
        String recipient = Files.readString(w.pki.dir().resolve("contractor-enc.pem"));
        String batch = "{\"id\":\"%s\",\"listener\":\"%s\",\"approvalRef\":\"R-payroll\","
                + "\"senders\":[{\"subject\":\"CN=city-sender,O=Sekisho\",\"allow\":[\"127.0.0.1/32\"]}],"
                + "\"receivers\":[{\"subject\":\"CN=contractor,O=Sekisho\",\"allow\":[\"127.0.0.1/32\"]}],"
                + "\"recipients\":[" + quote(recipient) + "],\"maxPayloadBytes\":1000,\"retentionSeconds\":3600,"
                + "\"allowCbc\":false}";
        HttpResponse<String> onRelay =
                put("{\"routes\":[" + batch.formatted("b1", "attendance") + "],\"dryRun\":false}");
        assertEquals(400, onRelay.statusCode(), onRelay.body());
        assertTrue(onRelay.body().contains("is a relay listener"), onRelay.body());
        HttpResponse<String> sameId =
                put("{\"routes\":[" + batch.formatted("attendance-web", "transfer") + "],\"dryRun\":false}");
        assertEquals(400, sameId.statusCode(), sameId.body());
        assertTrue(sameId.body().contains("a relay route already has this id"), sameId.body());

        // a misspelt field is refused, not ignored
        HttpResponse<String> misspelt = put("{\"relays\":["
                + RelaySpec.canonical(relays(RELAY_ON("spare-web", "tls")).get(0))
                        .replace("\"methods\"", "\"metods\"") + "],\"dryRun\":true}");
        assertEquals(400, misspelt.statusCode(), misspelt.body());
        assertTrue(misspelt.body().contains("JSON_INVALID") || misspelt.body().contains("INVALID"), misspelt.body());
        // the admin API applies the file's rules too: a path with ".." is refused
        HttpResponse<String> dots = put("{\"relays\":["
                + RelaySpec.canonical(relays(RELAY_ON("spare-web", "tls")).get(0))
                        .replace("[\"/\"]", "[\"/a/../b\"]") + "],\"dryRun\":true}");
        assertEquals(400, dots.statusCode(), dots.body());
        assertTrue(dots.body().contains("INVALID_ROUTE") && dots.body().contains("must not hold .."), dots.body());
        assertNotNull(w.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "INVALID_ROUTE".equals(e.event().reason())
                        && e.event().detailJson().contains("routes apply")));
    }

    static String quote(String s) {
        return Json.quote(new StringBuilder(), s).toString();
    }

    /** A relay route "spare" on {@code listener} with {@code mode}. */
    static String RELAY_ON(String listener, String mode) {
        return """
                  - id: spare
                    kind: relay
                    listener: %s
                    approval: R-payroll
                    terminal-mode: %s
                    terminals: [{ allow: [10.5.0.0/16] }]
                    upstream: { url: "http://127.0.0.1:8082", closed-network: true }
                """.formatted(listener, mode);
    }

    @Test
    void aRelayRowChangedOutsideTheGatewayIsTamperedAndOpensNothing() throws Exception {
        var allowlist = w.gw.gateway.allowlists();
        assertTrue(allowlist.allows("attendance", InetAddress.getByName("10.9.1.1")));
        // a stolen application password widens the terminals: the seal no longer matches
        asApp("UPDATE relay_route SET spec = replace(spec, '10.9.0.0/16', '0.0.0.0/0') WHERE id = 'attendance-web'");
        var policy = w.gw.gateway.policy().watcher().reload();
        RelayRoute r = policy.relays().get("attendance-web");
        assertEquals(List.of("0.0.0.0/0"), r.allCidrs(), "read as stored");
        assertEquals(jp.sekisho.gateway.route.RouteState.APPROVAL_TAMPERED, policy.stateOf(r, Instant.now()));
        assertTrue(policy.tamperedRoutes().get("attendance-web").contains("does not match its seal"));
        assertFalse(allowlist.allows("attendance", InetAddress.getByName("10.9.1.1")), "fail closed at the edge");
        assertFalse(allowlist.allows("attendance", InetAddress.getByName("192.0.2.1")));
        assertEquals(
                "APPROVAL_TAMPERED",
                relayIn(get(secretariat, "/api/v1/routes").body(), "attendance-web")
                        .get("state"));
        assertNotNull(w.gw.awaitEvent(
                EventType.ROUTE_CHANGED,
                e -> "attendance-web".equals(e.event().routeId())
                        && "APPROVAL_TAMPERED".equals(e.event().reason())));

        String page = get(secretariat, "/console/routes").body();
        String row = RoutePagesTest.row(page, "data-relay", "attendance-web");
        assertTrue(row.contains("data-state=\"APPROVAL_TAMPERED\""), row);

        // applying the routes file again seals the operator's version again
        HttpResponse<String> reapply = apply(relays(ATTENDANCE), false);
        assertEquals(200, reapply.statusCode(), reapply.body());
        assertEquals(
                "ACTIVE",
                relayIn(get(secretariat, "/api/v1/routes").body(), "attendance-web")
                        .get("state"));
        assertTrue(allowlist.allows("attendance", InetAddress.getByName("10.9.1.1")));
    }

    @Test
    void theConsoleListsRelayRoutes() throws Exception {
        HttpResponse<String> r = get(secretariat, "/console/routes");
        assertEquals(200, r.statusCode(), r.body());
        String table = RoutePagesTest.element(r.body(), "relay-routes");
        String row = RoutePagesTest.row(table, "data-relay", "attendance-web");
        assertTrue(row.contains("中継"), row);
        assertTrue(row.contains("data-mode=\"http\"") && row.contains("HTTP（閉域網内）"), row);
        assertTrue(row.contains("10.9.0.0/16") && row.contains("http://127.0.0.1:8081"), row);
        assertTrue(row.contains(">attendance<") && row.contains("href=\"/console/approvals/R-payroll\""), row);
        assertTrue(row.contains("GET HEAD POST"), row);
        String en = get(secretariat, "/console/routes?lang=en").body();
        assertTrue(en.contains("Relay routes") && en.contains("HTTP (closed network)"), en);
    }
}
