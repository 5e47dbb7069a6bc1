package jp.sekisho.gateway.relay;

import javax.net.ssl.SSLException;
import jp.sekisho.gateway.admission.Reason;

/** Reaching the upstream failed: UPSTREAM_UNAVAILABLE, UPSTREAM_TLS_FAILED or UPSTREAM_TIMEOUT. */
final class UpstreamFailure extends Exception {

    final Reason reason;

    UpstreamFailure(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    /** Why an upstream connection could not be had: the failure's reason, else UPSTREAM_UNAVAILABLE. */
    static Reason ofConnect(Throwable cause) {
        return cause instanceof UpstreamFailure u ? u.reason : Reason.UPSTREAM_UNAVAILABLE;
    }

    /** Why an upstream connection in use broke: its TLS, else it is unavailable. */
    static Reason ofBroken(Throwable cause) {
        return cause instanceof SSLException || cause.getCause() instanceof SSLException
                ? Reason.UPSTREAM_TLS_FAILED
                : Reason.UPSTREAM_UNAVAILABLE;
    }
}
