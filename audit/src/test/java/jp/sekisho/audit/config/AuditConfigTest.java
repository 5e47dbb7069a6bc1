package jp.sekisho.audit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsTheAuditSectionsOfTheGatewayFileWithPathsRelativeToIt() throws Exception {
        Files.writeString(dir.resolve("db.pw"), "s3cret\n");
        Path yml = dir.resolve("gateway.yml");
        Files.writeString(yml, """
                node-id: gw2
                data-dir: var
                routes: [ { id: r1 } ]
                store:
                  url: jdbc:postgresql://127.0.0.1:5432/sekisho
                  user: sekisho_app
                  password-file: db.pw
                  owner-user: sekisho_owner
                audit:
                  signing-key: keys/audit.key
                  checkpoint-every: 500
                  checkpoint-seconds: 5
                  queue-capacity: 2000
                  write-timeout: 1500ms
                """);
        AuditConfig c = AuditConfig.fromGatewayYaml(yml);
        assertEquals("jdbc:postgresql://127.0.0.1:5432/sekisho", c.store().url());
        assertEquals("sekisho_app", c.store().user());
        assertEquals("s3cret", c.store().password());
        assertEquals("sekisho_owner", c.store().ownerUser());
        assertEquals(Duration.ofMillis(1500), c.store().timeout());
        assertEquals("gw2", c.audit().nodeId());
        assertEquals(dir.resolve("keys/audit.key"), c.audit().signingKey());
        assertEquals(500, c.audit().checkpointEvery());
        assertEquals(Duration.ofSeconds(5), c.audit().checkpointInterval());
        assertEquals(2000, c.audit().queueCapacity());
        assertEquals(Duration.ofMillis(1500), c.audit().writeTimeout());
        assertEquals(dir.resolve("var"), c.dataDir());
    }

    @Test
    void withoutAStoreSectionTheEmbeddedDatabaseLivesInDataPg() throws Exception {
        Path yml = dir.resolve("g.yml");
        Files.writeString(yml, "listeners: []\n");
        AuditConfig c = AuditConfig.fromGatewayYaml(yml);
        assertTrue(c.store().isEmbedded());
        assertNull(c.store().url());
        assertEquals(dir.resolve("data/pg"), c.store().embeddedDataDir());
        assertEquals(StoreConfig.EMBEDDED_APP_ROLE, c.store().user());
        assertEquals(dir.resolve("data/audit-signing.key"), c.audit().signingKey());
        assertEquals(Duration.ofSeconds(2), c.audit().writeTimeout());
        assertEquals(1000, c.audit().checkpointEvery());
        assertEquals(10_000, c.audit().queueCapacity());
    }

    @Test
    void aStoreWithoutUrlIsAnError() throws Exception {
        Path yml = dir.resolve("bad.yml");
        Files.writeString(yml, "store:\n  user: x\n");
        IOException e = assertThrows(IOException.class, () -> AuditConfig.fromGatewayYaml(yml));
        assertTrue(e.getMessage().contains("store.url"), e.getMessage());
    }
}
