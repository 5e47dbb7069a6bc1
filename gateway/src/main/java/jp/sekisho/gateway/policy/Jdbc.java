package jp.sekisho.gateway.policy;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import jp.sekisho.audit.store.StoreOutage;

/** The few JDBC chores the policy repositories share: transactions, arrays, timestamps, NOTIFY. */
public final class Jdbc {

    /** PostgreSQL NOTIFY channel: every node reloads its policy snapshot when it hears it. */
    public static final String POLICY_CHANNEL = "sekisho_policy";

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface Tx<T> {
        T run(Connection c) throws SQLException;
    }

    private Jdbc() {}

    public static <T> T inTransaction(DataSource ds, Tx<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            StoreOutage.rethrowIfOutage(e); // down or frozen: AUDIT_UNAVAILABLE, not an internal error
            throw new PolicyStoreException("policy store: " + e.getMessage(), e);
        }
    }

    /** Rolls back; a connection that broke keeps the first failure (the outage), not the rollback's. */
    private static void rollback(Connection c, Exception first) throws SQLException {
        try {
            c.rollback();
        } catch (SQLException e) {
            first.addSuppressed(e);
            if (!StoreOutage.is(first) && !StoreOutage.is(e)) {
                throw e;
            }
        }
    }

    public static Array textArray(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }

    public static List<String> texts(ResultSet rs, String column) throws SQLException {
        Array a = rs.getArray(column);
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }

    public static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** Tells every node (including this one) that approvals or routes changed; delivered on commit. */
    public static void notifyPolicyChanged(Connection c, String what) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, POLICY_CHANNEL);
            ps.setString(2, what);
            ps.execute();
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
