package jp.sekisho.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Set;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.GatewayConfigLoader;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store starts before the listeners bind, so the ports they are about to bind are handed to it
 * as kept free: a restarted gateway's embedded PostgreSQL cannot take the gateway's own port.
 */
class AuditStoresPortsTest {

    @TempDir
    Path dir;

    @Test
    void theListenersAndTheHealthPortAreKeptFromTheEmbeddedStore() throws Exception {
        Path yml = GatewayFixture.writeConfig(
                dir,
                TestPki.create(dir.resolve("pki")),
                "gw1",
                "  transfer: { bind: 127.0.0.1, port: 39461, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 9443, allow: [127.0.0.1/32], admin: true }\n"
                        + "  spare: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n",
                "  - { subject: \"CN=secretariat,O=Kurume City\", roles: [secretariat] }\n",
                "health:\n  listen: 127.0.0.1:9444\n  allow: [127.0.0.1/32]\n");
        GatewayConfig cfg = GatewayConfigLoader.load(yml);
        // port 0 is chosen after the store is up, from what is free then: nothing to keep
        assertEquals(Set.of(39461, 9443, 9444), AuditStores.ownPorts(cfg));
        assertEquals(
                Set.of(39461, 9443, 9444), AuditStores.auditConfig(cfg).store().portsKeptFree());
    }
}
