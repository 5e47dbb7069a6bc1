package jp.sekisho.gateway.relay;

import jp.sekisho.gateway.admission.Reason;

/** Reaching the upstream failed: UPSTREAM_UNAVAILABLE, UPSTREAM_TLS_FAILED or UPSTREAM_TIMEOUT. */
final class UpstreamFailure extends Exception {

    final Reason reason;

    UpstreamFailure(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }
}
