package jp.sekisho.gateway.policy;

/** The approvals/routes store cannot answer; callers refuse the request (fail closed). */
public final class PolicyStoreException extends RuntimeException {
    public PolicyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
