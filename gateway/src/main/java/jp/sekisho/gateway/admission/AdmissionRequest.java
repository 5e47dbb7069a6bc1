package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;
import java.util.List;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.policy.Caller;

/**
 * The facts of one request that admission judges, the same whichever entry point built them.
 *
 * @param connection the connection it came on (listener, client address, verified principal), or null
 * @param path       the path without its query string (what the audit log records)
 * @param target     the route it acts on, or null for an endpoint without a route
 * @param protocol   the entry point's own checks, run after the approval (tus version, media type, ...)
 * @param startNanos {@link System#nanoTime()} when the request arrived (its latency in the metrics)
 */
public record AdmissionRequest(
        Entry entry,
        @Nullable ConnectionInfo connection,
        String method,
        String path,
        String requestId,
        Access access,
        @Nullable RouteTarget target,
        List<Step> protocol,
        long startNanos) {

    /** Longest path kept in an audit event; longer ones are cut (the URI is the client's to choose). */
    static final int PATH_LIMIT = 512;

    public AdmissionRequest {
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        path = path.length() <= PATH_LIMIT ? path : path.substring(0, PATH_LIMIT) + "…";
        // the audit store refuses controls in its fields; a refused event would leave a refusal unrecorded
        path = path.codePoints()
                .map(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) ? 0xfffd : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        protocol = List.copyOf(protocol);
    }

    /** A request arriving now. */
    public AdmissionRequest(
            Entry entry,
            @Nullable ConnectionInfo connection,
            String method,
            String path,
            String requestId,
            Access access,
            @Nullable RouteTarget target,
            List<Step> protocol) {
        this(entry, connection, method, path, requestId, access, target, protocol, System.nanoTime());
    }

    public String listener() {
        return connection == null ? "-" : connection.listener();
    }

    /** The caller as the transfer and policy services audit it (needs a verified principal). */
    public Caller caller() {
        ConnectionInfo c = connection;
        if (c == null || c.principal() == null) {
            throw new IllegalStateException("no verified principal on request " + requestId);
        }
        return new Caller(c.principal().toAudit(), c.clientIp(), c.client().getPort(), c.listenerPort(), requestId);
    }
}
