package jp.sekisho.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.route.RouteFile;
import jp.sekisho.gateway.support.GatewayProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 5: an unknown or misspelt key stops start-up at every nesting level of gateway.yml
 * ({@code store:} and {@code audit:} included, which the audit module reads) and of a routes file,
 * with {@code FILE: KEY.PATH: unknown key (expected one of …)}.
 */
class StrictConfigTest {

    @TempDir
    static Path dir;

    static final String STORE_KEYS =
            "owner-password, owner-password-file, owner-user, password, password-file, url, user";

    @BeforeAll
    static void pki() {
        TestPki.create(dir.resolve("pki"));
    }

    static Path write(String name, String extra) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(
                p,
                GatewayConfigErrorsTest.yaml(
                                "pki/gateway.key",
                                GatewayConfigErrorsTest.LISTENERS,
                                GatewayConfigErrorsTest.PRINCIPALS)
                        + extra,
                StandardCharsets.UTF_8);
        return p;
    }

    static String error(Path p) {
        return assertThrows(ConfigException.class, () -> GatewayConfigLoader.load(p))
                .getMessage();
    }

    @Test
    void aMisspeltStoreKeyIsRefusedNotIgnored() throws Exception {
        Path p = write(
                "store.yml",
                "store:\n  url: jdbc:postgresql://127.0.0.1:5432/x\n  user: app\n  passwrd-file: pw.txt\n");
        assertEquals(p + ": store.passwrd-file: unknown key (expected one of " + STORE_KEYS + ")", error(p));
        // the audit module's own reader (the audit CLI's path) refuses it the same way
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuditConfig.fromGatewayYaml(p));
        assertEquals(p + ": store.passwrd-file: unknown key (expected one of " + STORE_KEYS + ")", e.getMessage());
    }

    @Test
    void auditKeysAreCheckedAndTheirValuesToo() throws Exception {
        Path p = write("audit.yml", "audit:\n  checkpoint-evrey: 10\n");
        assertEquals(
                p + ": audit.checkpoint-evrey: unknown key (expected one of checkpoint-every, checkpoint-seconds, "
                        + "queue-capacity, signing-key, write-timeout)",
                error(p));
        Path n = write("auditn.yml", "audit:\n  queue-capacity: lots\n");
        assertEquals(n + ": audit.queue-capacity: must be a whole number of at least 1, got 'lots'", error(n));
        Path d = write("auditd.yml", "audit:\n  write-timeout: soon\n");
        assertEquals(d + ": audit.write-timeout: must be a duration such as 2s, 500ms or 1m, got 'soon'", error(d));
        Path m = write("auditm.yml", "audit:\n  signing-key: { file: k.pem }\n");
        assertEquals(m + ": audit.signing-key: expected a single value", error(m));
    }

    @Test
    void nestedSectionsAreStrictAtEveryLevel() throws Exception {
        Path tls = dir.resolve("tls.yml");
        Files.writeString(
                tls,
                GatewayConfigErrorsTest.yaml(
                                "pki/gateway.key",
                                GatewayConfigErrorsTest.LISTENERS,
                                GatewayConfigErrorsTest.PRINCIPALS)
                        .replace("  crls: [pki/crl.pem]\n", "  crls: [pki/crl.pem]\n  crl-refresh: 60\n"));
        assertEquals(
                tls
                        + ": tls.crl-refresh: unknown key (expected one of certificate, crls, key, provider, trust-anchors)",
                error(tls));
        Path edge = write("edge.yml", "edge:\n  x:\n    y: 1\n");
        assertEquals(
                edge + ": edge.x: unknown key (expected one of connection-burst, connections-per-second, "
                        + "refusal-window)",
                error(edge));
        Path proxy = dir.resolve("proxy.yml");
        Files.writeString(
                proxy,
                GatewayConfigErrorsTest.yaml(
                        "pki/gateway.key",
                        "  admin: { bind: 127.0.0.1, port: 9443, allow: [127.0.0.1/32], admin: true,"
                                + " proxy-protocol: { trustd: [127.0.0.1/32] } }\n",
                        GatewayConfigErrorsTest.PRINCIPALS));
        assertEquals(
                proxy + ": listeners.admin.proxy-protocol.trustd: unknown key (expected one of trusted)", error(proxy));
        Path approvals = write("approvals.yml", "approvals:\n  two-person-rul: false\n");
        assertEquals(
                approvals + ": approvals.two-person-rul: unknown key (expected one of seal-key, two-person-rule)",
                error(approvals));
        Path top = write("top.yml", "stor:\n  url: x\n");
        assertTrue(error(top).startsWith(top + ": stor: unknown key (expected one of approvals, audit, data-dir,"));
    }

    @Test
    void routesFileEntriesAreStrictToo() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("routes-pki"));
        pki.recipient("enc");
        String entry = """
                routes:
                  - id: r1
                    listener: transfer
                    approval: A-1
                    senders:   [{ subject: "CN=s", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=r", allow: [127.0.0.1/32] }]
                    recipients: [routes-pki/enc.pem]
                """;
        Path ok = dir.resolve("routes.yml");
        Files.writeString(ok, entry);
        assertEquals(1, RouteFile.read(ok).routes().size());
        Path bad = dir.resolve("routes-bad.yml");
        Files.writeString(bad, entry.replace("recipients:", "recipents:"));
        assertTrue(
                assertThrows(RouteFile.Invalid.class, () -> RouteFile.read(bad))
                        .getMessage()
                        .startsWith("routes-bad.yml: routes[0].recipents: unknown key (expected one of allow-cbc,"),
                "a misspelt batch key");
        Files.writeString(bad, entry.replace("{ subject: \"CN=s\", allow:", "{ subject: \"CN=s\", alow:"));
        assertEquals(
                "routes-bad.yml: routes[0].senders[0].alow: unknown key (expected one of allow, sha256, subject)",
                assertThrows(RouteFile.Invalid.class, () -> RouteFile.read(bad)).getMessage());
        Files.writeString(bad, entry + "defaults: {}\n");
        assertEquals(
                "routes-bad.yml: defaults: unknown key (expected one of routes)",
                assertThrows(RouteFile.Invalid.class, () -> RouteFile.read(bad)).getMessage());
    }

    /** Through the real launcher: a gateway process with a misspelt store key exits 2 with the one line. */
    @Test
    void aRealGatewayProcessStopsOnAMisspeltNestedKey() throws Exception {
        Path p = write(
                "process.yml",
                "store:\n  url: jdbc:postgresql://127.0.0.1:5432/postgres\n  user: app\n  passwrd-file: pw.txt\n");
        Process gw = GatewayProcess.spawn(p);
        assertTrue(gw.waitFor(60, TimeUnit.SECONDS), "the gateway did not stop");
        String out = new String(gw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, gw.exitValue(), out);
        assertTrue(out.contains(p + ": store.passwrd-file: unknown key (expected one of " + STORE_KEYS + ")"), out);
        assertTrue(!out.contains(" listening: "), out);
    }
}
