package jp.sekisho.gateway.transfer;

/** A refusal with its HTTP status and stable reason code; the HTTP layers turn it into a problem answer. */
public final class TransferProblem extends RuntimeException {

    private final int status;
    private final String reason;
    private final transient Long offset;

    public TransferProblem(int status, String reason, String message) {
        this(status, reason, message, null);
    }

    /** @param offset the server's offset, sent as Upload-Offset with an OFFSET_MISMATCH */
    public TransferProblem(int status, String reason, String message, Long offset) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.offset = offset;
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

    /** The answer to a route admission refusal, as RouteTermsController gives it. */
    public static int statusOfDenial(String reason) {
        return switch (reason) {
            case "ROUTE_UNKNOWN", "ROUTE_NOT_ON_LISTENER" -> 404;
            default -> 403;
        };
    }
}
