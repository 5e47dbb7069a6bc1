package jp.sekisho.gateway.policy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh database on the machine's PostgreSQL (127.0.0.1:5432) with the gateway's policy schema,
 * dropped on close, so that concurrent test runs never share state.
 */
public final class PolicyTestDatabase implements AutoCloseable {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private final String name = "sekisho_policy_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final PGSimpleDataSource ds = new PGSimpleDataSource();

    public PolicyTestDatabase() {
        admin("CREATE DATABASE " + name);
        ds.setUrl(SERVER + name);
        ds.setUser("postgres");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/gateway").table("gateway_schema_history")
                .load().migrate();
    }

    public DataSource dataSource() {
        return ds;
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL on 127.0.0.1:5432 is needed (.ci/run starts it): " + e.getMessage(), e);
        }
    }
}
