package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes on one database and one spool folder behind a balancer that may send each request of a browser to
 * either: a form from a page of one node is honoured by the other (the console's form key comes
 * from the policy seal key the nodes share), and a third node started with another seal key is
 * refused at start instead of reading every approval as tampered.
 */
class TwoNodeConsoleTest {

    private static final String LISTENERS = "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
            + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n";

    @TempDir
    static Path dir;

    static ExternalPostgres pg;
    static TestPki pki;
    static String principals;
    static GatewayFixture gw1;
    static GatewayFixture gw2;
    static ConsoleClient aliceOn1;
    static ConsoleClient aliceOn2;

    @BeforeAll
    static void start() throws Exception {
        pg = ExternalPostgres.create();
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential alice = pki.client("alice");
        principals = "  - { subject: \""
                + alice.certificate().getSubjectX500Principal().getName() + "\", roles: [secretariat] }\n";
        gw1 = node("gw1", dir.resolve("shared"));
        gw2 = node("gw2", dir.resolve("shared"));
        aliceOn1 = new ConsoleClient(alice.pkcs12File(), pki.caFile(), path -> gw1.url("admin", path));
        aliceOn2 = new ConsoleClient(alice.pkcs12File(), pki.caFile(), path -> gw2.url("admin", path));
    }

    /** A node of the installation whose shared files (seal key, spool) are under {@code shared}. */
    static GatewayFixture node(String id, Path shared) throws Exception {
        return GatewayFixture.start(
                dir.resolve(id), pki, id, LISTENERS, principals, GatewayFixture.installation(pg.url(), shared));
    }

    @AfterAll
    static void stop() throws Exception {
        for (GatewayFixture g : new GatewayFixture[] {gw2, gw1}) {
            if (g != null) {
                g.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aFormFromOneNodesPageIsHonouredByTheOther() throws Exception {
        String token = ConsoleClient.csrf(aliceOn1.get(ApprovalLinks.NEW).body());
        Map<String, List<String>> fields = ApprovalPagesTest.consultation("R-NODES-1", "二つのノード");
        fields.put("_csrf", List.of(token));
        HttpResponse<String> created = aliceOn2.send("/console/approvals", fields);
        assertEquals(303, created.statusCode(), created.body());
        assertTrue(
                aliceOn1.get(ApprovalLinks.detail("R-NODES-1")).body().contains("badge-PENDING"),
                "recorded through node 2, seen on node 1");
        Map<String, List<String>> forged = ApprovalPagesTest.consultation("R-NODES-2", "偽造");
        forged.put("_csrf", List.of(token.substring(1) + "A"));
        HttpResponse<String> refused = aliceOn2.send("/console/approvals", forged);
        assertEquals(403, refused.statusCode(), "a token the installation never gave is still refused");
        assertTrue(refused.body().contains("CSRF_REJECTED"), refused.body());
    }

    @Test
    void aNodeWithAnotherSealKeyIsRefusedAtStart() {
        // the installation's spool, but a seal key of its own
        String ownKey = GatewayFixture.installation(
                pg.url(), dir.resolve("gw3-own.key"), dir.resolve("shared").resolve("spool"));
        RuntimeException e = assertThrows(
                RuntimeException.class,
                () -> GatewayFixture.start(dir.resolve("gw3"), pki, "gw3", LISTENERS, principals, ownKey));
        ConfigException config = null;
        for (Throwable t = e; t != null && config == null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                config = c;
            }
        }
        assertNotNull(config, "a configuration error (exit 2), not a store outage: " + e);
        String line = config.getMessage();
        assertTrue(line.startsWith("封印鍵 "), line);
        assertTrue(line.contains("SEAL_KEY_MISMATCH") && line.contains("registered by node gw1"), line);
        assertTrue(!line.contains("\n"), "one line: " + line);
    }
}
