package jp.sekisho.audit.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.config.StoreConfig;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit database: starts the embedded PostgreSQL or reaches the configured server, migrates the
 * schema as the owner role, makes sure the application role may only INSERT and SELECT, and pools
 * connections for that role. Both modes run the same SQL, migrations and triggers.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final StoreConfig config;
    private final EmbeddedServer embedded;
    private final StoreLock lock;
    private final String url;
    private final HikariDataSource pool;

    private Database(StoreConfig config, EmbeddedServer embedded, StoreLock lock, String url, HikariDataSource pool) {
        this.config = config;
        this.embedded = embedded;
        this.lock = lock;
        this.url = url;
        this.pool = pool;
    }

    /**
     * Opens the store, or throws {@link AuditUnavailableException} with a one-line reason (the
     * gateway must not start without its audit store).
     */
    public static Database open(StoreConfig requested) {
        StoreConfig config = requested;
        EmbeddedServer pg = null;
        StoreLock lock = null;
        String url = config.url();
        try {
            if (config.isEmbedded()) {
                lock = lock(config.embeddedDataDir());
                EmbeddedSecrets secrets = secrets(config.embeddedDataDir());
                pg = startEmbedded(config.embeddedDataDir(), secrets, config.portsKeptFree());
                url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres";
                // the embedded roles' passwords come from the secrets file, never from configuration
                config = config.withPasswords(secrets.app(), secrets.owner());
            }
            migrate(config, url);
            HikariDataSource pool = pool(config, url);
            LOG.info(
                    "audit store: {}, schema up to date, writing as role {} ({} connections at most)",
                    pg != null
                            ? "embedded PostgreSQL in " + config.embeddedDataDir() + " on port " + pg.port()
                            : "PostgreSQL at " + withoutParameters(url),
                    config.user(),
                    config.poolSize());
            return new Database(config, pg, lock, url, pool);
        } catch (RuntimeException e) {
            closeQuietly(pg);
            closeQuietly(lock);
            if (e instanceof AuditUnavailableException) {
                throw e;
            }
            throw new AuditUnavailableException(
                    "audit store at " + (url == null ? config.embeddedDataDir() : url) + " unavailable: " + oneLine(e),
                    e);
        }
    }

    private static final String HINT =
            "; to use a PostgreSQL server instead, set store.url (and store.user) in the gateway configuration";

    /** Claims the embedded store for this process: a live gateway on the same folder is refused. */
    private static StoreLock lock(Path dir) {
        try {
            Files.createDirectories(dir.toAbsolutePath().normalize().getParent());
            return StoreLock.acquire(dir);
        } catch (IOException | RuntimeException e) {
            throw new AuditUnavailableException(
                    "embedded PostgreSQL could not start in " + dir + ": " + oneLine(e) + HINT, e);
        }
    }

    private static EmbeddedSecrets secrets(Path dir) {
        try {
            return EmbeddedSecrets.loadOrCreate(dir);
        } catch (IOException | RuntimeException e) {
            throw new AuditUnavailableException(
                    "embedded PostgreSQL could not start in " + dir + ": its passwords file "
                            + EmbeddedSecrets.fileFor(dir) + ": " + oneLine(e) + HINT,
                    e);
        }
    }

    private static EmbeddedServer startEmbedded(Path dir, EmbeddedSecrets secrets, Set<Integer> portsKeptFree) {
        String hint = HINT;
        try {
            // the lock is ours, so no live gateway uses this cluster: a server still running was left by a dead one
            OrphanServer.stopIfLeft(dir);
            EmbeddedCluster.discardUnfinished(dir);
            Files.createDirectories(dir);
            return EmbeddedServer.start(dir, secrets, portsKeptFree);
        } catch (IOException | RuntimeException e) {
            throw new AuditUnavailableException(
                    "embedded PostgreSQL could not start in " + dir + ": " + oneLine(e) + hint, e);
        }
    }

    private static void migrate(StoreConfig config, String url) {
        Flyway.configure()
                .dataSource(url, config.ownerUser(), config.ownerPassword())
                .locations("classpath:db/migration/audit")
                .table("audit_schema_history")
                .connectRetries(0)
                .load()
                .migrate();
        if (config.ownerUser().equals(config.user())) {
            // the triggers still refuse UPDATE/DELETE/TRUNCATE, but an owner could disable them
            LOG.warn(
                    "audit tables are owned by the gateway's own role {}: it could disable the append-only triggers "
                            + "and rewrite history (the hash chain would show it, but only at the next verify). Set store.owner-user "
                            + "to a separate owner role so the gateway holds INSERT and SELECT only",
                    config.user());
            return;
        }
        Properties p = new Properties();
        p.setProperty("user", config.ownerUser());
        if (config.ownerPassword() != null) {
            p.setProperty("password", config.ownerPassword());
        }
        p.setProperty("connectTimeout", Long.toString(seconds(config.timeout())));
        String role = quoteIdent(config.user());
        try (Connection c = DriverManager.getConnection(url, p);
                Statement s = c.createStatement()) {
            // Roles are cluster-wide and other gateways or tests may create the same one concurrently.
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = " + quoteLiteral(config.user())
                    + ") THEN CREATE ROLE " + role + " LOGIN"
                    + (config.password() == null || config.password().isEmpty()
                            ? ""
                            : " PASSWORD " + quoteLiteral(config.password()))
                    + "; END IF; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
            if (config.isEmbedded()) {
                // a role made by an earlier version had no password (trust): give it the one from the secrets file
                s.execute("ALTER ROLE " + role
                        + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD "
                        + quoteLiteral(config.password()));
            }
            s.execute("GRANT USAGE ON SCHEMA " + quoteIdent(currentSchema(c)) + " TO " + role);
            s.execute("REVOKE ALL ON audit_event, audit_checkpoint FROM " + role);
            s.execute("GRANT SELECT, INSERT ON audit_event, audit_checkpoint TO " + role);
            s.execute("GRANT EXECUTE ON FUNCTION audit_ensure_partition(timestamptz) TO " + role);
            // signing keys: registered and retired by the gateway and by audit rotate-key (a trigger allows
            // setting retired_at once and nothing else)
            s.execute("REVOKE ALL ON audit_signing_key FROM " + role);
            s.execute("GRANT SELECT, INSERT ON audit_signing_key TO " + role);
            s.execute("GRANT UPDATE (retired_at) ON audit_signing_key TO " + role);
        } catch (SQLException e) {
            throw new AuditUnavailableException(
                    "cannot grant the audit tables to role " + config.user() + " as " + config.ownerUser() + ": "
                            + oneLine(e),
                    e);
        }
    }

    private static String currentSchema(Connection c) throws SQLException {
        try (var rs = c.createStatement().executeQuery("SELECT current_schema()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static HikariDataSource pool(StoreConfig config, String url) {
        HikariConfig h = new HikariConfig();
        h.setPoolName("sekisho-audit");
        h.setJdbcUrl(url);
        h.setUsername(config.user());
        h.setPassword(config.password());
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(1);
        long ms = Math.max(250, config.timeout().toMillis());
        h.setConnectionTimeout(ms);
        h.setValidationTimeout(Math.max(250, Math.min(ms, 1000)));
        h.setInitializationFailTimeout(ms);
        h.addDataSourceProperty("connectTimeout", Long.toString(seconds(config.timeout())));
        h.addDataSourceProperty("loginTimeout", Long.toString(seconds(config.timeout())));
        // A frozen server (SIGSTOP, a hung host) accepts and never answers: without a read timeout a
        // request would wait for ever. Requests then answer AUDIT_UNAVAILABLE within about the write
        // timeout; the audit writer, the checkpointer and long snapshot reads set their own, longer one.
        h.addDataSourceProperty("socketTimeout", Long.toString(seconds(config.timeout())));
        h.addDataSourceProperty("cancelSignalTimeout", Long.toString(seconds(config.timeout())));
        h.addDataSourceProperty("tcpKeepAlive", "true");
        h.addDataSourceProperty("ApplicationName", "sekisho-audit");
        return new HikariDataSource(h);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    /**
     * A new connection as the owner role ({@code store.owner-user}), for the schema changes only the owner may make:
     * detaching an archived month. The caller closes it.
     */
    public Connection ownerConnection() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.ownerUser());
        if (config.ownerPassword() != null) {
            p.setProperty("password", config.ownerPassword());
        }
        p.setProperty("connectTimeout", Long.toString(seconds(config.timeout())));
        p.setProperty("ApplicationName", "sekisho-audit-owner");
        return DriverManager.getConnection(url, p);
    }

    /**
     * A new connection of the application role outside the pool, for a session that must live as long as the
     * process (the per-node advisory lock of {@code NodeLock}). The caller closes it.
     */
    public Connection sessionConnection() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        p.setProperty("connectTimeout", Long.toString(seconds(config.timeout())));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "sekisho-audit-node-lock");
        return DriverManager.getConnection(url, p);
    }

    /** Connections for the application role (INSERT and SELECT only). */
    public DataSource dataSource() {
        return pool;
    }

    public StoreConfig config() {
        return config;
    }

    /** A JDBC URL for messages: parameters (which may hold a password) cut off. */
    public static String withoutParameters(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
    }

    /** The JDBC URL of the database, without credentials (for tests and diagnostics). */
    public String url() {
        return url;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        pool.close();
        closeQuietly(embedded);
        closeQuietly(lock); // only once the server is down: a new owner must not find it running
    }

    private static void closeQuietly(StoreLock lock) {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException ignored) {
                // the process ends or the lock goes with the channel
            }
        }
    }

    private static void closeQuietly(EmbeddedServer pg) {
        if (pg != null) {
            pg.close();
        }
    }

    public static String quoteIdent(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    public static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The first line of an exception chain's most telling message. */
    public static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root != t && t.getMessage() != null && !t.getMessage().contains(m)) {
            m = t.getMessage().lines().findFirst().orElse("") + ": " + m;
        }
        return m.lines().findFirst().orElse(m);
    }
}
