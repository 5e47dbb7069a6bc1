package jp.sekisho.audit.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;

/**
 * A fresh, uniquely named database on the machine's PostgreSQL (127.0.0.1:5432, user postgres,
 * trust auth), dropped afterwards, so parallel runs by other engineers never collide.
 */
public final class ExternalPostgres implements AutoCloseable {

    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    /** Roles are cluster-wide: one shared test app role, created idempotently by Database. */
    public static final String APP_ROLE = "sekisho_app_test";

    private final String name;

    private ExternalPostgres(String name) {
        this.name = name;
    }

    public static ExternalPostgres create() throws SQLException {
        String name =
                "sekisho_audit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", null);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new ExternalPostgres(name);
    }

    public String url() {
        return SERVER + name;
    }

    public String name() {
        return name;
    }

    /**
     * An audit store on this database, as a gateway with node {@code nodeId} opens it from its
     * gateway.yml in {@code dir} (data under {@code dir/data}), sealing a checkpoint every
     * {@code checkpointEvery} events.
     */
    public AuditStore openStore(Path dir, String nodeId, int checkpointEvery) throws IOException {
        Path yaml = dir.resolve("gateway.yml");
        Files.writeString(yaml, """
                node-id: %s
                data-dir: data
                store:
                  url: %s
                  user: %s
                  password: ""
                  owner-user: postgres
                audit:
                  checkpoint-every: %d
                  checkpoint-seconds: 60
                """.formatted(nodeId, url(), APP_ROLE, checkpointEvery));
        return AuditStore.open(AuditConfig.fromGatewayYaml(yaml));
    }

    public Connection superuser() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", null);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", null);
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
