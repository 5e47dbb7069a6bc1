package jp.sekisho.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.relay.RelayDiff;
import jp.sekisho.gateway.relay.RelayLimits;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.relay.RelaySpec;
import jp.sekisho.gateway.relay.TerminalMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relay routes in the routes file: what they read as, and every refusal naming file, key path and problem. */
class RelayRouteFileTest {

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(dir.resolve("certs"));
        pki.recipient("contractor-enc");
        pki.client("terminal");
    }

    static final String BATCH = """
              - id: kurume-benefit
                listener: transfer
                approval: 2総政第158号
                senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                recipients: [certs/contractor-enc.pem]
            """;

    static final String RELAY = """
              - id: kurume-payroll-web
                kind: relay
                listener: payroll-web
                approval: 2総政第158号
                terminal-mode: tls
                terminals:
                  - allow: [127.0.0.1/32, 10.1.0.0/16]
                upstream:
                  url: https://127.0.0.1:8443
                  ca: certs/ca.pem
                  host: payroll.kurume.example
                methods: [GET, HEAD, POST, PUT]
                paths: [/payroll, /static/]
                max-body: 200MiB
                rate: 20
                hours: { days: [mon, tue, wed, thu, fri], from: "08:30", to: "18:00" }
                websocket: true
            """;

    static final String MINIMAL = """
              - id: attendance-web
                kind: relay
                listener: attendance
                approval: 2総政第158号
                terminal-mode: http
                terminals: [{ allow: [192.168.10.0/24] }]
                upstream: { url: "http://10.0.0.5:8080", closed-network: true }
            """;

    private static RouteSet read(String entries) throws IOException {
        return RouteFile.read(write(entries));
    }

    private static Path write(String entries) throws IOException {
        Path f = dir.resolve("routes.yml");
        Files.writeString(f, "routes:\n" + entries);
        return f;
    }

    /** The one-line refusal of a file whose relay entry has {@code from} replaced by {@code to}. */
    private static String refusal(String from, String to) {
        assertTrue(RELAY.contains(from), from);
        return assertThrows(RouteFile.Invalid.class, () -> read(RELAY.replace(from, to)))
                .getMessage();
    }

    @Test
    void readsBothKindsFromOneFile() throws IOException {
        RouteSet set = read(BATCH + RELAY + MINIMAL);
        assertEquals(
                List.of("kurume-benefit"), set.routes().stream().map(Route::id).toList());
        assertEquals(2, set.relays().size());
        RelayRoute r = set.relays().get(0);
        assertEquals("kurume-payroll-web", r.id());
        assertEquals("payroll-web", r.listener());
        assertEquals("2総政第158号", r.approvalRef());
        assertEquals(TerminalMode.TLS, r.mode());
        assertEquals(List.of("127.0.0.1/32", "10.1.0.0/16"), r.allCidrs());
        assertNull(r.terminals().get(0).subject());
        assertEquals("https://127.0.0.1:8443", r.upstream().url().toString());
        assertTrue(r.upstream().caPem().startsWith("-----BEGIN CERTIFICATE-----"), "the CA as PEM text, pinned");
        assertEquals("payroll.kurume.example", r.upstream().hostHeader());
        assertEquals(Set.of("GET", "HEAD", "POST", "PUT"), r.limits().methods());
        assertEquals(List.of("/payroll", "/static/"), r.limits().pathPrefixes());
        assertEquals(200L << 20, r.limits().maxBodyBytes());
        assertEquals(20, r.limits().requestsPerSecond());
        assertEquals(LocalTime.of(8, 30), r.limits().hours().from());
        assertEquals(5, r.limits().hours().days().size());
        assertFalse(r.limits().hours().days().contains(DayOfWeek.SATURDAY));
        assertTrue(r.limits().websocket());

        RelayRoute m = set.relays().get(1);
        assertEquals(TerminalMode.HTTP, m.mode());
        assertTrue(m.upstream().closedNetwork());
        assertNull(m.upstream().caPem());
        assertEquals(RelayLimits.DEFAULTS, m.limits(), "absent limits take the defaults");
    }

    @Test
    void theCanonicalJsonReadsBackAsTheSameRoute() throws IOException {
        for (RelayRoute r : read(RELAY + MINIMAL).relays()) {
            String json = RelaySpec.canonical(r);
            assertEquals(r, RelaySpec.parse(json));
            assertEquals(json, RelaySpec.canonical(RelaySpec.parse(json)), "canonical: the same text again");
        }
    }

    @Test
    void aChangedRelayIsDiffedFieldByField() throws IOException {
        RelayRoute r = read(RELAY).relays().get(0);
        assertFalse(RelayDiff.between(Map.of(r.id(), r), List.of(r)).changesAnything(), "idempotent");
        RelayRoute slower = read(RELAY.replace("rate: 20", "rate: 5")).relays().get(0);
        assertEquals(
                "~ kurume-payroll-web: rate 20 -> 5",
                RelayDiff.between(Map.of(r.id(), r), List.of(slower))
                        .changes()
                        .get(0)
                        .line());
    }

    @Test
    void anUnknownKeyIsRefusedNamingIt() {
        assertEquals(
                "routes.yml: routes[0].metods: unknown key (a relay route knows approval, hours, id, kind, listener, "
                        + "max-body, methods, paths, rate, terminal-mode, terminals, upstream, websocket)",
                refusal("methods:", "metods:"));
        assertTrue(refusal("host:", "hots:").startsWith("routes.yml: routes[0].upstream.hots: unknown key"));
        assertTrue(refusal("- allow:", "- alow:").startsWith("routes.yml: routes[0].terminals[0].alow: unknown key"));
        assertTrue(refusal("from:", "form:").startsWith("routes.yml: routes[0].hours.form: unknown key"));
        assertTrue(refusal("kind: relay", "kind: realy").contains("routes[0].kind: 'realy' is not a route kind"));
    }

    @Test
    void everyRuleIsRefusedWithItsKeyPath() {
        // (from, to) -> what the refusal must say; lists as keys: arrays compare by reference
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("url: https://127.0.0.1:8443", "url: http://127.0.0.1:8443"), "closed-network: true");
        cases.put(
                List.of("terminal-mode: tls", "terminal-mode: mtls"),
                "terminals[0]: with terminal-mode mtls a terminal needs subject or sha256");
        cases.put(
                List.of("- allow: [", "- subject: \"CN=x\"\n        allow: ["),
                "terminals[0]: with terminal-mode tls terminals present no certificate");
        cases.put(
                List.of("paths: [/payroll, /static/]", "paths: [/payroll/../admin]"),
                "paths[0]: '/payroll/../admin' must not hold ..");
        cases.put(List.of("paths: [/payroll, /static/]", "paths: [payroll]"), "paths[0]: must start with /");
        cases.put(List.of("paths: [/payroll, /static/]", "paths: [\"/a//b\"]"), "must not hold ..");
        cases.put(List.of("paths: [/payroll, /static/]", "paths: [\"/a?b=1\"]"), "must not hold ..");
        cases.put(
                List.of("methods: [GET, HEAD, POST, PUT]", "methods: [GET, TRACE]"),
                "routes[0].methods: 'TRACE' is not one of");
        cases.put(
                List.of("url: https://127.0.0.1:8443", "url: https://127.0.0.1:8443/app"),
                "upstream.url: must not hold a path");
        cases.put(
                List.of("url: https://127.0.0.1:8443", "url: \"https://127.0.0.1:8443/?a=1\""),
                "upstream.url: must not hold a query");
        cases.put(
                List.of("url: https://127.0.0.1:8443", "url: https://me@127.0.0.1:8443"),
                "upstream.url: must not hold user info");
        cases.put(
                List.of("url: https://127.0.0.1:8443", "url: ftp://127.0.0.1:8443"),
                "is not an absolute https:// or http:// URL");
        cases.put(List.of("      ca: certs/ca.pem\n", ""), "upstream.ca: an https:// upstream needs ca");
        cases.put(List.of("ca: certs/ca.pem", "ca: certs/terminal.pem"), "holds no CA certificate");
        cases.put(List.of("ca: certs/ca.pem", "ca: certs/none.pem"), "routes[0].upstream.ca:");
        cases.put(
                List.of("127.0.0.1/32, 10.1.0.0/16", "127.0.0.1/33"),
                "terminals[0].allow[0]: '127.0.0.1/33' is not a CIDR");
        cases.put(
                List.of("- allow: [127.0.0.1/32, 10.1.0.0/16]", "- allow: []"),
                "terminals[0].allow: needs at least one source CIDR");
        cases.put(List.of("max-body: 200MiB", "max-body: 65GiB"), "max-body: must be 1 byte to 64GiB");
        cases.put(List.of("max-body: 200MiB", "max-body: 0"), "max-body: must be 1 byte to 64GiB");
        cases.put(List.of("rate: 20", "rate: 10001"), "rate: must be 0 (no limit) to 10000");
        cases.put(List.of("rate: 20", "rate: fast"), "routes[0].rate: must be a whole number");
        cases.put(List.of("from: \"08:30\"", "from: 18:00"), "routes[0].hours.from: write the time in quotes");
        cases.put(List.of("from: \"08:30\"", "from: \"8.30\""), "is not a time HH:mm");
        cases.put(List.of("days: [mon,", "days: [mon, mon,"), "routes[0].hours: day 'mon' appears twice");
        cases.put(List.of("days: [mon,", "days: [monday,"), "'monday' is not a day");
        cases.put(
                List.of("terminal-mode: tls", "terminal-mode: https"),
                "routes[0].terminal-mode: 'https' is not a terminal mode");
        cases.put(List.of("websocket: true", "websocket: yes please"), "routes[0].websocket: must be true or false");
        cases.put(
                List.of("host: payroll.kurume.example", "host: \"bad host/x\""),
                "upstream.host: 'bad host/x' is not a host name");
        cases.put(List.of("id: kurume-payroll-web", "id: Kurume_Payroll"), "id: route id must match");
        cases.forEach((change, expected) -> {
            String m = refusal(change.get(0), change.get(1));
            assertTrue(m.startsWith("routes.yml: routes[0]"), m);
            assertTrue(m.contains(expected), change.get(1) + " -> " + m);
        });
    }

    @Test
    void idsAreUniqueAcrossBothKinds() {
        String m = assertThrows(
                        RouteFile.Invalid.class,
                        () -> read(BATCH + RELAY.replace("id: kurume-payroll-web", "id: kurume-benefit")))
                .getMessage();
        assertEquals("routes.yml: routes[1].id: 'kurume-benefit' appears twice", m);
    }

    @Test
    void aTerminalModeIsRequiredAndMtlsTerminalsNameTheirCertificate() throws IOException {
        assertTrue(refusal("    terminal-mode: tls\n", "").contains("routes[0].terminal-mode: is required"));
        RelayRoute mtls = read(RELAY.replace("terminal-mode: tls", "terminal-mode: mtls")
                        .replace("- allow: [", "- subject: \"CN=payroll-pc-01,O=Kurume City\"\n        allow: ["))
                .relays()
                .get(0);
        assertEquals(TerminalMode.MTLS, mtls.mode());
        assertTrue(mtls.terminals().get(0).matches("CN=payroll-pc-01,O=Kurume City", "00"));
    }
}
