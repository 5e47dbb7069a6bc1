package jp.sekisho.audit.store;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.Set;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.db.Database;

/**
 * The one place that decides whether a failure means "the store (audit log, transfers, approvals,
 * routes: one database) cannot answer now" rather than a bug. Every edge turns such a failure into
 * 503 AUDIT_UNAVAILABLE, so clients can tell an outage (retry later) from an internal error.
 *
 * <p>An outage is: an {@link AuditUnavailableException}; a connection that could not be had or broke
 * (SQLState class 08, {@link SQLTransientConnectionException} as the pool throws after its connection
 * timeout, {@link SQLNonTransientConnectionException}); a server shutting down or restarting (57P01,
 * 57P02, 57P03); a statement cancelled by its timeout (57014, {@link SQLTimeoutException}); or a
 * socket that timed out, was refused or reset under the driver.
 */
public final class StoreOutage {

    private static final Set<String> SERVER_GOING = Set.of("57P01", "57P02", "57P03", "57014");

    private StoreOutage() {}

    /** The refusal to raise when {@code failure} (or one of its causes) is a store outage, else empty. */
    public static Optional<AuditUnavailableException> of(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 20; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof AuditUnavailableException a) {
                return Optional.of(a);
            }
            if (isOutage(t)) {
                return Optional.of(
                        new AuditUnavailableException("store unavailable: " + Database.oneLine(failure), failure));
            }
        }
        return Optional.empty();
    }

    /** True when {@code failure} is a store outage (see the class comment). */
    public static boolean is(Throwable failure) {
        return of(failure).isPresent();
    }

    /**
     * Rethrows a store outage as {@link AuditUnavailableException}; returns otherwise, so the caller
     * handles the failure as it did before.
     */
    public static void rethrowIfOutage(Throwable failure) {
        Optional<AuditUnavailableException> o = of(failure);
        if (o.isPresent()) {
            throw o.get();
        }
    }

    private static boolean isOutage(Throwable t) {
        if (t instanceof SQLTransientConnectionException
                || t instanceof SQLNonTransientConnectionException
                || t instanceof SQLTimeoutException) {
            return true;
        }
        if (t instanceof SQLException s && s.getSQLState() != null) {
            String state = s.getSQLState();
            if (state.startsWith("08") || SERVER_GOING.contains(state)) {
                return true;
            }
        }
        // java.net.SocketTimeoutException is an InterruptedIOException
        return t instanceof InterruptedIOException
                || t instanceof ConnectException
                || t instanceof SocketException
                || t instanceof EOFException;
    }
}
