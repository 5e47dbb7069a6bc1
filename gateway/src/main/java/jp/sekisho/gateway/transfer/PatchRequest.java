package jp.sekisho.gateway.transfer;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.gateway.admission.Access;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.admission.AdmissionRequest;
import jp.sekisho.gateway.admission.Decision;
import jp.sekisho.gateway.admission.Entry;
import jp.sekisho.gateway.admission.ProtocolSteps;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.admission.RouteTarget;
import jp.sekisho.gateway.admission.Side;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tus PATCH as {@link TusPatchHandler} carries it: the work that may wait ({@link #open}: admission
 * and the upload's start; {@link #finish}: fsync, offset, the envelope gate) runs on the blocking
 * executor, and the outcome is recorded with {@link Admission} exactly once. Fields set there are read
 * on the event loop after the hand-back; the flags are the event loop's alone.
 */
final class PatchRequest {

    private static final Logger LOG = LoggerFactory.getLogger(PatchRequest.class);

    final String requestId;
    final boolean keepAlive;
    final boolean expectContinue;
    private final AdmissionRequest request;
    private final String uploadId;
    private final HttpHeaders headers;
    private volatile Decision.Admitted admitted;
    private volatile TransferService transfers;
    volatile Upload upload;
    /** The upload was complete already and this PATCH is the empty one at its length: answered 204 at once. */
    volatile Transfer complete;

    private volatile boolean counted;
    /** Reading is off until the spool writer has a free buffer. */
    boolean throttled;
    /** Set once an answer was sent early (refusal); the rest of the body is read and dropped. */
    boolean answered;
    /** Refused mid-body: the rest of the body is read and dropped, then the connection is closed. */
    boolean closeAtEnd;

    long dropped;

    PatchRequest(Channel channel, HttpRequest req, String routeRaw, String uploadId) {
        this.requestId = Requests.newRequestId();
        this.keepAlive = HttpUtil.isKeepAlive(req);
        this.expectContinue = HttpUtil.is100ContinueExpected(req);
        this.uploadId = uploadId;
        this.headers = req.headers().copy();
        this.request = new AdmissionRequest(
                Entry.TUS_PATCH,
                ConnectionInfo.of(channel),
                "PATCH",
                req.uri(),
                requestId,
                Access.roles(Role.SENDER),
                new RouteTarget(NettyPaths.decode(routeRaw), Side.SENDER, "upload-patch"),
                List.of(
                        ProtocolSteps.tusVersion(headers.get(Tus.RESUMABLE)),
                        ProtocolSteps.contentType(headers.get(HttpHeaderNames.CONTENT_TYPE), Tus.OFFSET_TYPE)));
    }

    /**
     * On the blocking executor: admits the PATCH and opens its upload.
     *
     * @return the refusal to answer, or null when the body may come
     */
    TransferProblem open(Admission admission, TransferService transfers, Runnable onAbort) {
        try {
            Decision d = admission.admit(request);
            if (d instanceof Decision.Denied x) {
                return new TransferProblem(x.reason(), x.message()); // audited and counted by admit
            }
            admitted = (Decision.Admitted) d;
            this.transfers = transfers;
            upload = transfers.beginPatch(
                    request.caller(),
                    admitted.grant(),
                    uploadId,
                    Tus.nonNegative(headers.get("Upload-Offset"), "Upload-Offset"),
                    Tus.checksum(headers.get("Upload-Checksum")),
                    Tus.declaration(headers.get("Upload-Length"), headers.get(Tus.ENVELOPE_SHA256)),
                    Tus.rewind(headers.get(Tus.REWIND)),
                    onAbort);
            return null;
        } catch (UploadComplete e) {
            Transfer t = e.transfer();
            if (emptyBody() && Long.valueOf(t.length()).equals(requestedOffset())) {
                complete = t; // its completing PATCH again, whose answer was lost
                completed(admission, null, null, false);
                return null;
            }
            TransferProblem p = e.problem();
            completed(admission, p.reason(), p.getMessage(), false);
            return p;
        } catch (TransferProblem e) {
            completed(admission, e.reason(), e.getMessage(), e.audited());
            return e;
        } catch (AuditUnavailableException e) {
            completed(admission, Reason.AUDIT_UNAVAILABLE.code(), e.getMessage(), true);
            return NettyProblems.auditUnavailable();
        } catch (RuntimeException e) {
            LOG.warn("PATCH {} failed to start", uploadId, e);
            TransferProblem answer = NettyProblems.unexpected(e);
            completed(admission, answer.reason(), null, true);
            return answer;
        }
    }

    /** On the blocking executor: ends the PATCH (fsync, offset; the envelope gate for the last one) and answers it. */
    FullHttpResponse finish(Admission admission) {
        try {
            Transfer t = upload.finish();
            completed(admission, null, null, false);
            return answer(t);
        } catch (TransferProblem e) {
            completed(admission, e.reason(), e.getMessage(), e.audited());
            return NettyProblems.response(e, requestId);
        } catch (AuditUnavailableException e) {
            completed(admission, Reason.AUDIT_UNAVAILABLE.code(), e.getMessage(), true);
            return NettyProblems.response(NettyProblems.auditUnavailable(), requestId);
        } catch (RuntimeException e) {
            LOG.warn("PATCH of {} failed", uploadId, e);
            // the spool's mount gone under the PATCH: 503 SPOOL_UNAVAILABLE, the upload keeps its durable offset
            TransferProblem answer = transfers.problemOf(e);
            completed(admission, answer.reason(), null, true);
            return NettyProblems.response(answer, requestId);
        }
    }

    /** {@code 204} with the upload's offset: its {@code Upload-Expires} while uploading, else its transfer id. */
    static FullHttpResponse answer(Transfer t) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        boolean uploading = t.state() == TransferState.UPLOADING;
        r.headers().set("Upload-Offset", Long.toString(uploading ? t.offset() : t.length()));
        if (uploading) {
            r.headers().set("Upload-Expires", Tus.httpDate(t.expiresAt()));
        } else {
            r.headers().set(Tus.TRANSFER_ID, t.id());
        }
        return r;
    }

    /** No body: {@code Content-Length: 0}, or neither it nor {@code Transfer-Encoding} (HTTP/1.1's empty body). */
    private boolean emptyBody() {
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && (length == null || length.trim().equals("0"));
    }

    private Long requestedOffset() {
        try {
            return Tus.nonNegative(headers.get("Upload-Offset"), "Upload-Offset");
        } catch (TransferProblem e) {
            return null;
        }
    }

    /** On the blocking executor: the body was refused midway; keeps or discards what arrived, records the refusal. */
    void refusedMidBody(Admission admission, TransferProblem e) {
        upload.interrupted(); // fsync and database
        completed(admission, e.reason(), e.getMessage(), e.audited() || e.status() >= 500);
    }

    /** Records the outcome of an admitted PATCH once: success, or the refusal that ended it. */
    private void completed(Admission admission, String reason, String message, boolean audited) {
        if (admitted != null && !counted) {
            counted = true;
            admission.completed(request, admitted, reason, message, audited);
        }
    }
}
