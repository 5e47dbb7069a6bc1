package jp.sekisho.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.route.RouteFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release ships etc/gateway.yml and etc/routes.yml as the operator's starting point: they must
 * pass the same strict reading as a real start-up (every key known at every level), or an operator's
 * first start fails on our example. The production paths are moved under a temporary folder so that
 * the password files they name can exist.
 */
class ReleaseExampleConfigTest {

    static final Path ETC = Path.of("..", "dist", "src", "etc");

    @TempDir
    Path dir;

    Path relocated(String name) throws IOException {
        String text = Files.readString(ETC.resolve(name), StandardCharsets.UTF_8)
                .replace("/etc/sekisho", dir.resolve("etc").toString())
                .replace("/var/lib/sekisho", dir.resolve("data").toString());
        Path secrets = Files.createDirectories(dir.resolve("etc/secrets"));
        Files.writeString(secrets.resolve("db-app-password"), "app-secret\n");
        Files.writeString(secrets.resolve("db-owner-password"), "owner-secret\n");
        Path out = dir.resolve(name);
        Files.writeString(out, text, StandardCharsets.UTF_8);
        return out;
    }

    @Test
    void theReleasesGatewayYmlReadsStrictly() throws IOException {
        Path yml = relocated("gateway.yml");
        GatewayConfig config = GatewayConfigLoader.load(yml);
        assertEquals("gw1", config.nodeId());
        AuditConfig audit = AuditConfig.fromGatewayYaml(yml);
        assertFalse(audit.toString().contains("app-secret"), "a password never shows in a config's text");
    }

    @Test
    void theReleasesRoutesYmlReadsStrictly() throws IOException {
        // the example names the contractor's encryption certificate, which the file's reading checks
        Path recipients = Files.createDirectories(dir.resolve("etc/recipients"));
        Path minted =
                TestPki.create(dir.resolve("pki")).recipient("contractor-enc").certificateFile();
        Files.copy(minted, recipients.resolve("contractor-enc.pem"));
        jp.sekisho.gateway.route.RouteSet set = RouteFile.read(relocated("routes.yml"));
        assertFalse(set.routes().isEmpty() && set.relays().isEmpty(), "the example names at least one route");
    }
}
