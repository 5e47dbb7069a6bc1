package jp.sekisho.gateway.transfer;

import jp.sekisho.gateway.admission.Reason;

/**
 * A refusal with its HTTP status and stable reason code; the HTTP layers turn it into a problem
 * answer. {@link #audited()} tells them that the service that refused already wrote the audit event
 * (REQUEST_DENIED, TRANSFER_REJECTED, TRANSFER_ABORTED), so it is not written twice.
 */
public final class TransferProblem extends RuntimeException {

    private final int status;
    private final String reason;
    private final transient Long offset;
    private boolean audited;

    public TransferProblem(Reason reason, String message) {
        this(reason.status(), reason.code(), message, null);
    }

    /** @param offset the server's offset, sent as Upload-Offset with an OFFSET_MISMATCH */
    public TransferProblem(Reason reason, String message, Long offset) {
        this(reason.status(), reason.code(), message, offset);
    }

    public TransferProblem(int status, String reason, String message) {
        this(status, reason, message, null);
    }

    public TransferProblem(int status, String reason, String message, Long offset) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.offset = offset;
    }

    /**
     * The answer to a request on a transfer that ended because its route stopped being active (or the
     * sender terminated it): 403 with that reason (a route state, ROUTE_UNKNOWN, TERMINATED_BY_SENDER).
     */
    static TransferProblem aborted(String routeId, String reason) {
        return new TransferProblem(403, reason, "transfer aborted: route " + routeId + " is " + reason);
    }

    /** Marks the refusal as already written to the audit log by the service that refused. */
    public TransferProblem markAudited() {
        this.audited = true;
        return this;
    }

    public boolean audited() {
        return audited;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public Long offset() {
        return offset;
    }
}
