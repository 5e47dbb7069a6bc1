package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.gateway.GatewayCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 15: deleting a node's audit signing key and starting it again stops {@code sekisho gateway} with one
 * line, Japanese then English, its code AUDIT_KEY_MISSING and exit 2 (a person must restore the key: the systemd unit does not restart it in a loop);
 * no new key is made.
 */
class SigningKeyStartTest {

    @TempDir
    Path dir;

    @Test
    void aNodeWhoseKeyWasDeletedDoesNotStart() throws Exception {
        TestPki.create(dir.resolve("pki"));
        Path yaml = dir.resolve("gateway.yml");
        Files.writeString(
                yaml,
                "node-id: gw1\n"
                        + "data-dir: data\n"
                        + "tls:\n"
                        + "  certificate: pki/gateway.pem\n"
                        + "  key: pki/gateway.key\n"
                        + "  trust-anchors: [pki/ca.pem]\n"
                        + "  crls: [pki/crl.pem]\n"
                        + "listeners:\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n"
                        + "principals:\n"
                        + "  - { subject: \"CN=secretariat,O=Kurume City\", roles: [secretariat] }\n",
                StandardCharsets.UTF_8);
        try (AuditStore first = AuditStore.open(AuditConfig.fromGatewayYaml(yaml))) {
            assertTrue(first.reader() != null, "the node's chain starts with its key's registration");
        }
        Path key = dir.resolve("data/audit-signing.key");
        Files.delete(key);

        StringWriter err = new StringWriter();
        CommandLine cmd = CliErrors.configure(new CommandLine(new GatewayCommand()));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("--config", yaml.toString());

        assertEquals(2, code, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("AUDIT_KEY_MISSING: 監査署名鍵 "), err.toString());
        assertTrue(err.toString().contains("ノード gw1 の監査チェーンは既に存在します"), err.toString());
        assertTrue(err.toString().contains("restore the key from backup"), err.toString());
        assertFalse(Files.exists(key), "no new key was made");
    }
}
