package jp.sekisho.audit;

/** The audit store cannot take an event now; the caller must refuse the work (AUDIT_UNAVAILABLE). */
public final class AuditUnavailableException extends RuntimeException {

    public static final String REASON = "AUDIT_UNAVAILABLE";

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public AuditUnavailableException(String message) {
        super(message);
    }
}
