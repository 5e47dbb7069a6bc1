package jp.sekisho.client.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Security staff read and verify the audit log through a running gateway, with their own certificate. */
class AuditThroughGatewayTest {

    @TempDir
    static Path dir;

    static GatewayFixture gw;
    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("certs"));
        pki.client("auditor");
        pki.client("operator");
        gw = GatewayFixture.start(dir.resolve("gw"), pki, """
                  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }
                  admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
                """, """
                  - { subject: "CN=auditor,O=Sekisho",  roles: [auditor] }
                  - { subject: "CN=operator,O=Sekisho", roles: [operator] }
                """);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static CliRun audit(String who, String... args) {
        String[] all = new String[args.length + 6];
        all[0] = "audit";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--gateway";
        all[args.length + 2] = gw.url("admin", "");
        all[args.length + 3] = "--identity";
        all[args.length + 4] = pki.dir().resolve(who + ".p12").toString();
        all[args.length + 5] = "--json";
        if (args[0].equals("verify") || args[0].equals("export")) {
            String[] trimmed = new String[all.length - 1];
            System.arraycopy(all, 0, trimmed, 0, trimmed.length);
            return CliRun.of(trimmed);
        }
        return CliRun.of(all);
    }

    @Test
    void anAuditorVerifiesExportsAndSearchesThroughTheGateway() throws Exception {
        CliRun verify = audit("auditor", "verify");
        assertEquals(0, verify.code(), verify.toString());
        assertTrue(verify.out().contains("OK:") && verify.out().contains("events"), verify.toString());

        Path export = dir.resolve("audit.jsonl");
        CliRun exported = audit("auditor", "export", "--out", export.toString());
        assertEquals(0, exported.code(), exported.toString());
        assertTrue(Files.size(export) > 0);
        // an outside reviewer: the export and the public key, nothing else
        Path pub = gw.dir.resolve("data/audit-signing.pub.pem");
        CliRun offline = CliRun.of("audit", "verify", "--file", export.toString(), "--key", pub.toString());
        assertEquals(0, offline.code(), offline.toString());

        CliRun search = audit("auditor", "search", "--type", "GATEWAY_STARTED");
        assertEquals(0, search.code(), search.toString());
        assertTrue(search.out().contains("\"GATEWAY_STARTED\""), search.toString());

        CliRun tail = audit("auditor", "tail", "--max-polls", "1", "--from", "2000-01-01");
        assertEquals(0, tail.code(), tail.toString());
        assertTrue(tail.out().contains("GATEWAY_STARTED") && !tail.out().contains("AUDIT_READ"), tail.toString());

        // reading is itself audited
        assertTrue(gw.awaitEvent(
                        jp.sekisho.audit.EventType.AUDIT_READ,
                        e -> e.event().principal() != null
                                && "CN=auditor,O=Sekisho"
                                        .equals(e.event().principal().subject()))
                != null);
    }

    @Test
    void onlyAuditorsReadTheLog() {
        CliRun refused = audit("operator", "verify");
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("ROLE_REQUIRED"), refused.toString());
    }
}
