package jp.sekisho.faults;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Reads the real state of a hand-off in the gateway's database, as an operator with psql would: the
 * transfer row and the audit events of a transfer. One connection, opened again after any failure
 * (the store may be frozen, killed or restarted on another port).
 */
final class StoreProbe implements AutoCloseable {

    /** A row of the {@code transfer} table. */
    record TransferRow(String id, String state, Long length, long offset, String reason) {}

    private final Callable<String> url;
    private final String user;
    private final String password;
    private Connection c;

    private StoreProbe(Callable<String> url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The embedded store of DATA (data/pg): its port from postmaster.pid, the superuser's password from pg-secrets. */
    static StoreProbe embedded(Path data) throws IOException {
        Properties secrets = new Properties();
        try (Reader r = Files.newBufferedReader(data.resolve("pg-secrets"), StandardCharsets.UTF_8)) {
            secrets.load(r);
        }
        return new StoreProbe(
                () -> "jdbc:postgresql://127.0.0.1:"
                        + Files.readAllLines(data.resolve("pg/postmaster.pid"))
                                .get(3)
                                .trim() + "/postgres",
                "postgres",
                secrets.getProperty("postgres"));
    }

    static StoreProbe external(String url) {
        return new StoreProbe(() -> url, "postgres", null);
    }

    private synchronized Connection connection() throws Exception {
        if (c == null || c.isClosed()) {
            Properties p = new Properties();
            p.setProperty("user", user);
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("connectTimeout", "5");
            p.setProperty("socketTimeout", "5");
            p.setProperty("ApplicationName", "sekisho-faults-probe");
            c = DriverManager.getConnection(url.call(), p);
        }
        return c;
    }

    private synchronized void drop() {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
        c = null;
    }

    /**
     * The transfer rows, oldest first; empty when the store does not answer. A broken connection
     * (the server was restarted, perhaps on another port) is opened again once.
     */
    synchronized List<TransferRow> transfers() {
        List<TransferRow> rows = transfersOnce();
        return rows != null ? rows : Optional.ofNullable(transfersOnce()).orElse(List.of());
    }

    private List<TransferRow> transfersOnce() {
        try (PreparedStatement ps = connection()
                        .prepareStatement(
                                "SELECT id, state, length, upload_offset, reason FROM transfer ORDER BY created_at");
                ResultSet rs = ps.executeQuery()) {
            List<TransferRow> rows = new ArrayList<>();
            while (rs.next()) {
                long len = rs.getLong(3);
                rows.add(new TransferRow(
                        rs.getString(1), rs.getString(2), rs.wasNull() ? null : len, rs.getLong(4), rs.getString(5)));
            }
            return rows;
        } catch (Exception e) {
            drop();
            return null;
        }
    }

    /** The first transfer of the scenario (each scenario starts with none). */
    Optional<TransferRow> first() {
        return transfers().stream().findFirst();
    }

    /** How often each event type was recorded for the transfer. */
    synchronized Map<String, Integer> events(String transferId) throws Exception {
        try {
            return eventsOnce(transferId);
        } catch (Exception e) {
            return eventsOnce(transferId); // once more on a fresh connection
        }
    }

    private Map<String, Integer> eventsOnce(String transferId) throws Exception {
        try (PreparedStatement ps = connection()
                .prepareStatement(
                        "SELECT event_type, count(*) FROM audit_event WHERE transfer_id = ? GROUP BY event_type")) {
            ps.setString(1, transferId);
            Map<String, Integer> m = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.put(rs.getString(1), rs.getInt(2));
                }
            }
            return m;
        } catch (Exception e) {
            drop();
            throw e;
        }
    }

    /** Events of a type with a reason (any transfer), e.g. TLS_FAILED / CRL_EXPIRED. */
    synchronized int count(String type, String reason) throws Exception {
        try (PreparedStatement ps =
                connection().prepareStatement("SELECT count(*) FROM audit_event WHERE event_type = ? AND reason = ?")) {
            ps.setString(1, type);
            ps.setString(2, reason);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (Exception e) {
            drop();
            throw e;
        }
    }

    /** The rows of a query, each column as text (null kept), for checks across nodes. */
    synchronized List<List<String>> rows(String sql, Object... params) throws Exception {
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int c = 1; c <= n; c++) {
                        row.add(rs.getString(c));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (Exception e) {
            drop();
            throw e;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
