package jp.sekisho.console.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliException;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.console.browser.ConsoleBrowser;
import jp.sekisho.gateway.support.GatewayFixture;

/**
 * One gateway for a class of browser tests, with the people who use the console: two secretariat
 * members, an auditor and an operator, plus the sender and receiver a route needs. The transfer
 * listener admits nobody until a route names its addresses. Browsers are made once per person and
 * kept for the class ({@link #browser(String)}); {@link #close()} ends them all.
 */
public final class ConsoleWorld implements AutoCloseable {

    public static final String SECRETARIAT = "secretariat";
    public static final String SECRETARIAT2 = "secretariat2";
    public static final String AUDITOR = "auditor";
    public static final String OPERATOR = "operator";

    private static final String LISTENERS = """
              transfer: { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32] }
              admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
            """;
    private static final String PRINCIPALS = """
              - { subject: "CN=secretariat,O=Sekisho",  roles: [secretariat] }
              - { subject: "CN=secretariat2,O=Sekisho", roles: [secretariat] }
              - { subject: "CN=auditor,O=Sekisho",      roles: [auditor] }
              - { subject: "CN=operator,O=Sekisho",     roles: [operator] }
              - { subject: "CN=city-sender,O=Sekisho",  roles: [sender] }
              - { subject: "CN=contractor,O=Sekisho",   roles: [receiver] }
            """;

    public final Path dir;
    public final TestPki pki;
    /** The receiving contractor's encryption certificate: routes name it as the recipient. */
    public final Credential enc;

    public final ExternalPostgres pg;
    public final GatewayFixture gw;
    private final Map<String, ConsoleBrowser> browsers = new LinkedHashMap<>();

    private ConsoleWorld(Path dir, TestPki pki, Credential enc, ExternalPostgres pg, GatewayFixture gw) {
        this.dir = dir;
        this.pki = pki;
        this.enc = enc;
        this.pg = pg;
        this.gw = gw;
    }

    /** PKI under dir/certs, a database on the local PostgreSQL server, the gateway under dir/gw. */
    public static ConsoleWorld start(Path dir) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        for (String n : List.of(SECRETARIAT, SECRETARIAT2, AUDITOR, OPERATOR, "city-sender", "contractor")) {
            pki.client(n);
        }
        Credential enc = pki.recipient("contractor-enc");
        ExternalPostgres pg = ExternalPostgres.create();
        try {
            GatewayFixture gw = GatewayFixture.start(
                    dir.resolve("gw"),
                    pki,
                    "gw1",
                    LISTENERS,
                    PRINCIPALS,
                    "store:\n  url: " + pg.url() + "\n  user: " + ExternalPostgres.APP_ROLE
                            + "\n  owner-user: postgres\n");
            return new ConsoleWorld(dir, pki, enc, pg, gw);
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
    }

    /** {@code https://127.0.0.1:PORT/PATH} on the admin listener, where the console is. */
    public String admin(String path) {
        return gw.url("admin", path);
    }

    /** {@code who}'s browser, started on first use and kept until {@link #close()}. */
    public synchronized ConsoleBrowser browser(String who) throws IOException {
        ConsoleBrowser b = browsers.get(who);
        if (b == null) {
            b = ConsoleBrowser.as(dir, pki.caFile(), pki.dir(), who);
            browsers.put(who, b);
        }
        return b;
    }

    /** {@code sekisho <args> --gateway ADMIN --identity WHO.p12}: the admin commands. */
    public Cli cli(String who, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--gateway", gw.url("admin", ""), "--identity", identity(who)));
        return Cli.run(a.toArray(String[]::new));
    }

    /**
     * Writes routes.yml with one route from {@code city-sender} to {@code contractor} under {@code
     * approvalRef}, applies it as the operator with {@code sekisho routes apply}, and waits until the
     * transfer listener admits 127.0.0.1 (the allowlist follows the routes).
     */
    public Cli applyRoute(String route, String approvalRef) throws IOException {
        Path yml = dir.resolve("routes.yml");
        Files.writeString(yml, """
                routes:
                  - id: %s
                    listener: transfer
                    approval: "%s"
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                """.formatted(route, approvalRef), StandardCharsets.UTF_8);
        Cli applied = cli(OPERATOR, "routes", "apply", yml.toString());
        if (applied.code() == 0) {
            await("127.0.0.1 admitted to the transfer listener once the route exists")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        String refusal = routeRefusal(route);
                        return !refusal.startsWith("TLS") && !refusal.startsWith("connection");
                    });
        }
        return applied;
    }

    /**
     * What the sender is told about {@code route} now: "" when its terms are given (data may flow),
     * else the refusal (e.g. one naming APPROVAL_SUSPENDED).
     */
    public String routeRefusal(String route) {
        GatewayClient sender = new GatewayClient(
                URI.create(gw.url("transfer", "/")),
                Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                List.of(pki.caCertificate()),
                Duration.ofSeconds(10));
        try {
            GatewayClient.Response r = sender.get("api/v1/routes/" + route + "/terms");
            return r.status() == 200 ? "" : r.status() + " " + r.body();
        } catch (CliException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /** {@code sekisho send --route ROUTE --file FILE} as {@code city-sender} on the transfer listener. */
    public Cli send(String route, Path file) {
        return Cli.run(
                "send",
                "--gateway",
                gw.url("transfer", ""),
                "--route",
                route,
                "--identity",
                identity("city-sender"),
                "--file",
                file.toString());
    }

    /** {@code who}'s .p12 (empty password). */
    public String identity(String who) {
        return pki.dir().resolve(who + ".p12").toString();
    }

    @Override
    public void close() throws Exception {
        try {
            for (ConsoleBrowser b : browsers.values()) {
                b.close();
            }
        } finally {
            try {
                gw.close();
            } finally {
                pg.close();
            }
        }
    }
}
