package jp.sekisho.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.approval.ApprovalState;
import jp.sekisho.gateway.route.RouteFile;
import jp.sekisho.gateway.route.RouteSet;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.support.GatewayProcess;
import jp.sekisho.gateway.support.NginxUpstream;
import jp.sekisho.gateway.transfer.Tls;

/**
 * The relay's acceptance world: the city's PKI (gateway, people, the gateway's client certificate
 * towards upstreams), the contractor datacenter's PKI (the upstream's server certificate) and a
 * foreign one; nginx as the payroll web system (client certificates of the city's CA only) and a
 * second nginx whose certificate comes from the foreign CA; a fresh PostgreSQL database; the gateway
 * as its own process with a small heap ({@link #HEAP}), three relay listeners, approvals decided by
 * two secretariat members and a routes file with {@code kind: relay} applied, all through the real
 * admin API over mutual TLS.
 */
final class RelayWorld implements AutoCloseable {

    static final String HEAP = "-Xmx128m";
    static final String PAYROLL = "kurume-payroll-web";
    static final String BROKEN = "kurume-broken-web";
    static final String SLOW = "kurume-slow-web";
    /** The same upstream for terminals that must hold a certificate (terminal-mode mtls). */
    static final String MTLS = "kurume-payroll-mtls";

    static final String TERMINAL_PC = "payroll-pc-01";
    static final String REF = "2総政第158号";
    static final String REF_BROKEN = "2総政第159号";
    static final String REF_SLOW = "2総政第160号";
    static final String SUBJECT_SUFFIX = ",O=Sekisho";

    final Path dir;
    final TestPki pki;
    final TestPki upstreamPki;
    final TestPki foreignPki;
    final ExternalPostgres pg;
    final NginxUpstream upstream;
    final NginxUpstream foreign;
    final GatewayProcess gw;
    final int payrollPort;
    final int brokenPort;
    final int slowPort;
    final int mtlsPort;
    final Path config;
    /** Every request sent to the payroll relay, with the request id the gateway answered (null: none). */
    final Queue<String> payrollRequests = new ConcurrentLinkedQueue<>();

    private final HttpClient terminal;
    private final HttpClient alice;
    private final HttpClient bob;
    private final HttpClient operator;
    private final HttpClient auditor;

    /** What was started, closed in reverse order (also when the constructor fails half-way). */
    private final java.util.Deque<AutoCloseable> opened = new java.util.ArrayDeque<>();

    RelayWorld(Path dir) throws Exception {
        this.dir = dir;
        try {
            pki = TestPki.create(Files.createDirectories(dir.resolve("city-pki")));
            for (String n :
                    List.of("secretariat", "secretariat2", "operator", "auditor", "gateway-client", TERMINAL_PC)) {
                pki.client(n);
            }
            upstreamPki = TestPki.create(Files.createDirectories(dir.resolve("upstream-pki")));
            foreignPki = TestPki.create(Files.createDirectories(dir.resolve("foreign-pki")));
            upstream = NginxUpstream.start(dir.resolve("nginx"), upstreamPki, pki.caFile());
            opened.push(upstream);
            foreign = NginxUpstream.start(dir.resolve("nginx-foreign"), foreignPki, pki.caFile());
            opened.push(foreign);
            pg = ExternalPostgres.create();
            opened.push(pg);
            payrollPort = freePort();
            brokenPort = freePort();
            slowPort = freePort();
            mtlsPort = freePort();
            config = GatewayFixture.writeConfig(
                    dir.resolve("gw"),
                    pki,
                    "relay1",
                    "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                            + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n"
                            + "  payroll-web: { kind: relay, bind: 127.0.0.1, port: " + payrollPort + ", allow: [] }\n"
                            + "  broken-web: { kind: relay, bind: 127.0.0.1, port: " + brokenPort + ", allow: [] }\n"
                            + "  slow-web: { kind: relay, bind: 127.0.0.1, port: " + slowPort + ", allow: [] }\n"
                            + "  mtls-web: { kind: relay, bind: 127.0.0.1, port: " + mtlsPort + ", allow: [] }\n",
                    "  - { subject: \"CN=secretariat" + SUBJECT_SUFFIX + "\", roles: [secretariat] }\n"
                            + "  - { subject: \"CN=secretariat2" + SUBJECT_SUFFIX + "\", roles: [secretariat] }\n"
                            + "  - { subject: \"CN=operator" + SUBJECT_SUFFIX + "\", roles: [operator] }\n"
                            + "  - { subject: \"CN=auditor" + SUBJECT_SUFFIX + "\", roles: [auditor] }\n",
                    "relay:\n"
                            + "  client-certificate: " + pki.dir().resolve("gateway-client.pem") + "\n"
                            + "  client-key: " + pki.dir().resolve("gateway-client.key") + "\n"
                            + "store:\n  url: " + pg.url() + "\n  user: " + ExternalPostgres.APP_ROLE
                            + "\n  owner-user: postgres\n");
            gw = GatewayProcess.start(config, List.of(HEAP, "-XX:+UseG1GC"));
            opened.push(gw);
            terminal = client(trustOnly(pki.caFile()));
            alice = client(Tls.client(pki.dir().resolve("secretariat.p12"), pki.caFile()));
            bob = client(Tls.client(pki.dir().resolve("secretariat2.p12"), pki.caFile()));
            operator = client(Tls.client(pki.dir().resolve("operator.p12"), pki.caFile()));
            auditor = client(Tls.client(pki.dir().resolve("auditor.p12"), pki.caFile()));

            approve(REF);
            approve(REF_BROKEN);
            approve(REF_SLOW);
            Path routes = dir.resolve("routes.yml");
            Files.writeString(
                    routes,
                    "routes:\n"
                            + relay(
                                    PAYROLL,
                                    "payroll-web",
                                    REF,
                                    upstream.url(),
                                    "    methods: [GET, HEAD, PUT]\n"
                                            + "    paths: [/payroll/, /big/, /upload/, /echo-headers]\n"
                                            + "    max-body: 300MiB\n")
                            + relay(BROKEN, "broken-web", REF_BROKEN, foreign.url(), "")
                            + relay(SLOW, "slow-web", REF_SLOW, upstream.url(), "    paths: [/slow/]\n")
                            + relay(MTLS, "mtls-web", REF, upstream.url(), "    paths: [/payroll/]\n")
                                    .replace("terminal-mode: tls", "terminal-mode: mtls")
                                    .replace(
                                            "      - allow: [127.0.0.1/32]",
                                            "      - subject: \"CN=" + TERMINAL_PC + SUBJECT_SUFFIX + "\"\n"
                                                    + "        allow: [127.0.0.1/32]"),
                    StandardCharsets.UTF_8);
            applyRoutes(routes);
        } catch (Exception | Error e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** One relay route of the routes file: terminals on 127.0.0.1 over TLS, the upstream CA pinned. */
    static String relay(String id, String listener, String approval, String url, String limits) {
        return "  - id: " + id + "\n"
                + "    kind: relay\n"
                + "    listener: " + listener + "\n"
                + "    approval: " + approval + "\n"
                + "    terminal-mode: tls\n"
                + "    terminals:\n"
                + "      - allow: [127.0.0.1/32]\n"
                + "    upstream:\n"
                + "      url: " + url + "\n"
                + "      ca: upstream-pki/ca.pem\n"
                + "      host: payroll.kurume.example\n"
                + limits;
    }

    /** What {@code sekisho routes apply FILE} sends: the file read as the CLI reads it, then PUT /api/v1/routes. */
    void applyRoutes(Path file) throws Exception {
        RouteSet set = RouteFile.read(file);
        assertTrue(set.routes().isEmpty(), "only relay routes here");
        List<String> relays = new ArrayList<>();
        for (RelayRoute r : set.relays()) {
            relays.add(RelaySpec.canonical(r));
        }
        Answer a = admin(
                operator,
                "PUT",
                "/api/v1/routes",
                "{\"routes\":[],\"relays\":[" + String.join(",", relays) + "],\"dryRun\":false}");
        assertEquals(200, a.status(), a.body() + "\n" + gw.output());
    }

    /** Records an approval and approves it: decided by one secretariat member, confirmed by another. */
    void approve(String ref) throws Exception {
        LocalDate today = LocalDate.now(ApprovalState.TOKYO);
        Answer created = admin(
                alice,
                "POST",
                "/api/v1/approvals",
                "{\"ref\":\"" + ref + "\",\"title\":\"給与システムの委託（ネットワーク別紙1）\",\"legalBasis\":\"条例第10条第1項第2号\","
                        + "\"departments\":[\"総務部人事課\"],\"contractor\":\"株式会社テスト\",\"subcontractors\":[],"
                        + "\"dataItems\":[\"name\",\"salary\"],\"maxRecords\":1000,\"validFrom\":\""
                        + today.minusDays(1)
                        + "\",\"validUntil\":\"" + today.plusDays(30) + "\",\"meetingRef\":\"第3回審議会\"}");
        assertTrue(created.status() == 200 || created.status() == 201, created.body());
        Answer decided =
                admin(alice, "POST", approvalPath(ref) + "/decisions", "{\"decision\":\"approve\",\"reason\":\"答申\"}");
        assertEquals(202, decided.status(), decided.body());
        Answer confirmed = admin(bob, "POST", approvalPath(ref) + "/confirmations", "{\"reason\":\"確認\"}");
        assertEquals(200, confirmed.status(), confirmed.body());
    }

    /** Suspends an approval as the secretariat does (a second member confirms if the gateway asks). */
    void suspend(String ref) throws Exception {
        Answer decided = admin(
                alice,
                "POST",
                approvalPath(ref) + "/decisions",
                "{\"decision\":\"suspend\",\"reason\":\"委託先で情報漏えいの疑い\"}");
        if (decided.status() == 202) {
            decided = admin(bob, "POST", approvalPath(ref) + "/confirmations", "{\"reason\":\"確認\"}");
        }
        assertEquals(200, decided.status(), decided.body());
    }

    static String approvalPath(String ref) {
        return "/api/v1/approvals/"
                + URLEncoder.encode(ref, StandardCharsets.UTF_8).replace("+", "%20");
    }

    record Answer(int status, String body) {
        Map<String, Object> json() {
            return Json.parseObject(body);
        }
    }

    Answer admin(HttpClient who, String method, String path, String json) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(gw.url("admin", path))).timeout(Duration.ofSeconds(30));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = who.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), r.body());
    }

    /** The RELAY_REQUEST events of a route, as the auditor reads them through the admin API. */
    List<Map<String, Object>> relayEvents(String route) throws Exception {
        Answer a =
                admin(auditor, "GET", "/api/v1/audit/events?type=RELAY_REQUEST&route=" + route + "&limit=1000", null);
        assertEquals(200, a.status(), a.body());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(a.body())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            out.add(m);
        }
        return out;
    }

    /** All events of one type from one source address (any route). */
    List<Map<String, Object>> events(String type, String source) throws Exception {
        Answer a =
                admin(auditor, "GET", "/api/v1/audit/events?type=" + type + "&source=" + source + "&limit=1000", null);
        assertEquals(200, a.status(), a.body());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(a.body())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            out.add(m);
        }
        return out;
    }

    /** The gateway's own verdict on its audit chains (GET /api/v1/audit/verify). */
    Answer verify() throws Exception {
        return admin(auditor, "GET", "/api/v1/audit/verify", null);
    }

    Path auditorP12() {
        return pki.dir().resolve("auditor.p12");
    }

    Path signingPublicKey() {
        return dir.resolve("gw/data/audit-signing.pub.pem");
    }

    /** A terminal's request to a relay listener (TLS, the gateway's CA trusted, no client certificate). */
    <T> HttpResponse<T> terminal(int port, HttpRequest.Builder b, String path, HttpResponse.BodyHandler<T> body)
            throws Exception {
        HttpResponse<T> r = terminal.send(
                b.uri(URI.create("https://127.0.0.1:" + port + path)).build(), body);
        if (port == payrollPort) {
            payrollRequests.add(r.headers().firstValue("X-Request-Id").orElse("<none>"));
        }
        return r;
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return terminal(
                port,
                HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)),
                path,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A GET from a terminal holding the city PKI's certificate {@code name} (for mtls routes). */
    HttpResponse<String> as(String name, int port, String path) throws Exception {
        HttpClient c = client(Tls.client(pki.dir().resolve(name + ".p12"), pki.caFile()));
        return c.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpClient auditorClient() {
        return auditor;
    }

    /** Heap in use in the gateway JVM (KiB) per {@code jcmd PID GC.heap_info}; after a full GC when {@code gcFirst}. */
    long heapUsedKib(boolean gcFirst) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        if (gcFirst) {
            Procs.Result gc = Procs.run(30, jcmd, Long.toString(gw.pid()), "GC.run");
            assertTrue(gc.ok(), gc.out());
        }
        Procs.Result info = Procs.run(30, jcmd, Long.toString(gw.pid()), "GC.heap_info");
        Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info.out());
        assertTrue(info.ok() && m.find(), info.out());
        return Long.parseLong(m.group(1));
    }

    String diagnostics() {
        return gw.output() + "\n" + upstream.errorLog();
    }

    static HttpClient client(SSLContext ssl) {
        return HttpClient.newBuilder()
                .sslContext(ssl)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    static SSLContext trustOnly(Path caPem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ts.setCertificateEntry("ca", (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close(); // the gateway first, then the database, then the upstreams
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
