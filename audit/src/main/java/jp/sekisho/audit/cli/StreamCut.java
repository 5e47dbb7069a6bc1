package jp.sekisho.audit.cli;

import jp.sekisho.audit.verify.ExportFileVerifier;

/** A stream from the gateway that ended before its end record: exit {@link AuditCommand#TRUNCATED}. */
final class StreamCut extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StreamCut(long events, String how) {
        super(ExportFileVerifier.truncatedMessage(events, how));
    }
}
