package jp.sekisho.client.support;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliException;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.gateway.support.GatewayFixture;

/**
 * One gateway ready for a hand-off, as the client's end-to-end tests need it: a test PKI (the
 * secretariat pair, the operator, {@code city-sender}, {@code contractor} and the recipient
 * {@code contractor-enc}), an external PostgreSQL, a gateway whose transfer listener admits only the
 * routes' addresses, and an approval created, approved and confirmed and a route applied with the
 * real CLI. It returns once 127.0.0.1 sees the route's terms on the transfer listener.
 */
public final class HandOffWorld implements AutoCloseable {

    /** What differs between the tests: the approval and route they hand off through. */
    public record Approval(String ref, String route, String title, int maxRecords, String approveReason) {}

    private static final String LISTENERS = """
              transfer: { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32] }
              admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
            """;
    private static final String PRINCIPALS = """
              - { subject: "CN=secretariat,O=Sekisho",  roles: [secretariat] }
              - { subject: "CN=secretariat2,O=Sekisho", roles: [secretariat] }
              - { subject: "CN=operator,O=Sekisho",     roles: [operator] }
              - { subject: "CN=city-sender,O=Sekisho",  roles: [sender] }
              - { subject: "CN=contractor,O=Sekisho",   roles: [receiver] }
            """;

    public final TestPki pki;
    public final Credential enc;
    public final ExternalPostgres pg;
    /** The running gateway; {@link #restartGateway} replaces it. */
    public GatewayFixture gw;

    private final Path dir;

    private HandOffWorld(Path dir, TestPki pki, Credential enc, ExternalPostgres pg, GatewayFixture gw) {
        this.dir = dir;
        this.pki = pki;
        this.enc = enc;
        this.pg = pg;
        this.gw = gw;
    }

    /** Builds the world under {@code dir} (certs/, gw/, routes.yml) with the route of {@code approval}. */
    public static HandOffWorld start(Path dir, Approval approval) throws Exception {
        return start(dir, approval, pki -> pki.recipient("contractor-enc"));
    }

    /**
     * As {@link #start(Path, Approval)}, with the recipient certificate {@code certs/contractor-enc.pem}
     * made by {@code recipient} (e.g. issued from a CSR whose key stays in another folder).
     */
    public static HandOffWorld start(Path dir, Approval approval, Function<TestPki, Credential> recipient)
            throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        for (String n : List.of("secretariat", "secretariat2", "operator", "city-sender", "contractor")) {
            pki.client(n);
        }
        Credential enc = recipient.apply(pki);
        ExternalPostgres pg = ExternalPostgres.create();
        GatewayFixture gw;
        try {
            gw = GatewayFixture.start(
                    dir.resolve("gw"),
                    pki,
                    "gw1",
                    LISTENERS,
                    PRINCIPALS,
                    "store:\n  url: " + pg.url() + "\n  user: " + ExternalPostgres.APP_ROLE
                            + "\n  owner-user: postgres\n");
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
        HandOffWorld world = new HandOffWorld(dir, pki, enc, pg, gw);
        try {
            world.approveAndRoute(dir, approval);
        } catch (Exception | Error e) {
            world.close();
            throw e;
        }
        return world;
    }

    private void approveAndRoute(Path dir, Approval a) throws Exception {
        ok(admin(
                "secretariat",
                "approvals",
                "create",
                "--ref",
                a.ref(),
                "--title",
                a.title(),
                "--legal-basis",
                "条例第10条第1項第2号",
                "--department",
                "総務部",
                "--contractor",
                "Contractor K.K.",
                "--items",
                String.join(",", ResidentGenerator.COLUMNS),
                "--max-records",
                Integer.toString(a.maxRecords()),
                "--valid-from",
                "2020-01-01",
                "--valid-until",
                "2099-12-31",
                "--delete-after-delivery"));
        ok(admin(
                "secretariat",
                "approvals",
                "decide",
                "--ref",
                a.ref(),
                "--decision",
                "approve",
                "--reason",
                a.approveReason()));
        ok(admin("secretariat2", "approvals", "decide", "--ref", a.ref(), "--confirm", "--reason", "確認"));
        Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - id: %s
                    listener: transfer
                    approval: %s
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                """.formatted(a.route(), a.ref()));
        ok(admin("operator", "routes", "apply", dir.resolve("routes.yml").toString()));
        // The allowlist follows the routes: 127.0.0.1, refused by the transfer listener before, now
        // reaches the route's terms there.
        GatewayClient sender = client("city-sender");
        await("127.0.0.1 admitted to the transfer listener once the route exists")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(CliException.class)
                .until(
                        () -> sender.get("api/v1/routes/" + a.route() + "/terms")
                                .object()
                                .get("approvalRef"),
                        equalTo(a.ref()));
    }

    /** Stops the gateway (as an operator's restart or a crash of its host would); {@link #startGateway} brings it back. */
    public void stopGateway() {
        gw.close();
    }

    /**
     * Starts the gateway again on the same ports, data folder and PostgreSQL (the routes and uploads
     * it held are still there), once {@link #stopGateway} stopped it.
     */
    public void startGateway(int transferPort, int adminPort) throws Exception {
        gw = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "gw1",
                LISTENERS
                        .replace(
                                "transfer: { bind: 127.0.0.1, port: 0",
                                "transfer: { bind: 127.0.0.1, port: " + transferPort)
                        .replace(
                                "admin:    { bind: 127.0.0.1, port: 0",
                                "admin:    { bind: 127.0.0.1, port: " + adminPort),
                PRINCIPALS,
                "store:\n  url: " + pg.url() + "\n  user: " + ExternalPostgres.APP_ROLE + "\n  owner-user: postgres\n");
    }

    /** A client of the transfer listener with {@code who}'s certificate. */
    public GatewayClient client(String who) {
        return new GatewayClient(
                URI.create(gw.url("transfer", "/")),
                Identities.load(pki.dir().resolve(who + ".p12"), new char[0]),
                List.of(pki.caCertificate()),
                Duration.ofSeconds(5));
    }

    /** {@code sekisho <args>} against the admin listener as {@code who}. */
    public CliRun admin(String who, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of(
                "--gateway",
                gw.url("admin", ""),
                "--identity",
                pki.dir().resolve(who + ".p12").toString()));
        return CliRun.of(a.toArray(String[]::new));
    }

    /** The arguments of {@code sekisho send} of {@code file} on {@code route} as city-sender; {@code more} at the end. */
    public String[] sendArgs(String route, Path file, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "send",
                "--gateway",
                gw.url("transfer", ""),
                "--route",
                route,
                "--identity",
                pki.dir().resolve("city-sender.p12").toString(),
                "--file",
                file.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /**
     * The arguments of {@code sekisho receive --once} on {@code route} into {@code out} as the
     * contractor, opening with the world's recipient key; {@code more} are added at the end.
     */
    public List<String> receiveArgs(String route, Path out, String... more) {
        return receiveArgs(gw.url("transfer", ""), route, out, pki.caFile(), more);
    }

    /** As {@link #receiveArgs(String, Path, String...)}, through {@code gatewayUrl} and trusting {@code trust}. */
    public List<String> receiveArgs(String gatewayUrl, String route, Path out, Path trust, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "receive",
                "--gateway",
                gatewayUrl,
                "--route",
                route,
                "--identity",
                pki.dir().resolve("contractor.p12").toString(),
                "--out",
                out.toString(),
                "--key",
                enc.keyFile().toString(),
                "--trust",
                trust.toString(),
                "--once"));
        a.addAll(List.of(more));
        return a;
    }

    /** Asserts the run exited 0, showing its output if not. */
    public static void ok(CliRun r) {
        assertEquals(0, r.code(), r.toString());
    }

    @Override
    public void close() throws Exception {
        try {
            gw.close();
        } finally {
            pg.close();
        }
    }
}
