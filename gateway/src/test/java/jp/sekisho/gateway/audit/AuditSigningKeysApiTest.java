package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.keys.StartupKeys;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 15: {@code GET /api/v1/audit/signing-keys} lists every node's registered key, and a log written by two
 * nodes with their own keys verifies through the gateway (API, and {@code audit verify --gateway} with the
 * published keys or with the list saved as a file).
 */
class AuditSigningKeysApiTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential auditor;
    static GatewayFixture fx;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        auditor = pki.client("auditor");
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + auditor.certificate().getSubjectX500Principal().getName() + "\", roles: [auditor] }\n");
        // a second node on the same store, with its own key, started the way AuditStore starts a node
        AuditSettings gw2 =
                AuditSettings.defaults("gw2", dir.resolve("gw2-data")).withCheckpoints(3, Duration.ofSeconds(60));
        StartupKeys.Decision keys = StartupKeys.decide(fx.store.database(), "gw2", gw2.signingKey());
        try (PostgresAuditLog log = PostgresAuditLog.open(fx.store.database(), gw2, keys.key())) {
            StartupKeys.register(keys, "gw2", log, fx.store.database());
            for (int i = 0; i < 7; i++) {
                log.commit(AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                        .routeId("gw2-route")
                        .build());
            }
        }
        http = HttpClient.newBuilder()
                .sslContext(Tls.client(auditor.pkcs12File(), pki.caFile()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(fx.url("admin", path)))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyNodesKeyIsListedAndTheTwoChainsVerify() throws Exception {
        HttpResponse<String> r = get("/api/v1/audit/signing-keys");
        assertEquals(200, r.statusCode(), r.body());
        TreeSet<String> nodes = new TreeSet<>();
        for (Object o : (List<?>) Json.parse(r.body())) {
            Map<?, ?> k = (Map<?, ?>) o;
            nodes.add((String) k.get("node"));
            assertTrue(((String) k.get("publicKey")).startsWith("-----BEGIN PUBLIC KEY-----"), r.body());
            assertEquals(64, ((String) k.get("fingerprint")).length(), r.body());
            assertEquals(null, k.get("retiredAt"), r.body());
        }
        assertEquals(new TreeSet<>(List.of("gw2", "gwtest")), nodes);

        HttpResponse<String> v = get("/api/v1/audit/verify");
        assertEquals(200, v.statusCode(), v.body());
        assertTrue(v.body().startsWith("{\"ok\":true"), v.body());

        String[] through = {
            "verify",
            "--gateway",
            fx.url("admin", ""),
            "--identity",
            auditor.pkcs12File().toString()
        };
        Run published = run(through);
        assertEquals(0, published.code(), published.out() + published.err());
        assertTrue(published.out().contains("the signing keys the gateway published"), published.out());

        Path saved = dir.resolve("signing-keys.json");
        Files.writeString(saved, r.body());
        Run withKeys = run(
                "verify",
                "--gateway",
                fx.url("admin", ""),
                "--identity",
                auditor.pkcs12File().toString(),
                "--keys",
                saved.toString());
        assertEquals(0, withKeys.code(), withKeys.out() + withKeys.err());

        Run onlyOurs = run(
                "verify",
                "--gateway",
                fx.url("admin", ""),
                "--identity",
                auditor.pkcs12File().toString(),
                "--key",
                fx.dir.resolve("data/audit-signing.pub.pem").toString());
        assertEquals(AuditCommand.FAILED, onlyOurs.code(), onlyOurs.out());
        assertTrue(onlyOurs.out().contains("not registered for node gw2"), onlyOurs.out());
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
