package jp.sekisho.gateway.transfer;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Head;
import io.micronaut.http.annotation.Options;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jp.sekisho.gateway.admission.Decision;
import jp.sekisho.gateway.admission.OnRoute;
import jp.sekisho.gateway.admission.OnRoute.SideRule;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * tus 1.0.0 on {@code /api/v1/routes/{route}/uploads} for the route's senders: OPTIONS, creation
 * (POST), HEAD and termination (DELETE). PATCH never reaches Micronaut: {@link TusPatchHandler}
 * streams it to the spool in the Netty pipeline, so no upload body is ever aggregated in memory.
 * Admission (route, party, approval, and Tus-Resumable where tus requires it) has run before any
 * method here.
 */
@Controller("/api/v1/routes/{route}/uploads")
@RequiresRole({Role.SENDER})
@ExecuteOn(TaskExecutors.BLOCKING)
public final class TusController {

    private final TransferService transfers;

    public TusController(TransferService transfers) {
        this.transfers = transfers;
    }

    @Options
    @OnRoute(side = SideRule.SENDER, action = "upload-options")
    public HttpResponse<?> options(Decision.Admitted a) {
        return HttpResponse.noContent()
                .header(Tus.RESUMABLE, Tus.VERSION)
                .header("Tus-Version", Tus.VERSION)
                .header("Tus-Extension", Tus.EXTENSIONS)
                .header("Tus-Max-Size", Long.toString(a.route().maxPayloadBytes()))
                .header("Tus-Checksum-Algorithm", "sha256");
    }

    @Post
    @OnRoute(side = SideRule.SENDER, action = "upload-create", tus = true)
    public HttpResponse<?> create(HttpRequest<?> request, Principal principal, Decision.Admitted a) {
        // null: Upload-Defer-Length, the client seals while it uploads and declares length and sha256 by PATCH
        Long length = Tus.creationLength(
                request.getHeaders().get("Upload-Length"), request.getHeaders().get(Tus.DEFER_LENGTH));
        Tus.Metadata md = Tus.metadata(request.getHeaders().get("Upload-Metadata"), length != null);
        Transfer t = transfers.create(
                Callers.of(request, principal), a.grant(), length, md.filename(), md.sha256(), md.records());
        return HttpResponse.status(HttpStatus.CREATED)
                .header("Location", Tus.location(a.route().id(), t.id()))
                .header("Upload-Expires", Tus.httpDate(t.expiresAt()))
                .header(Tus.RESUMABLE, Tus.VERSION)
                .header(Tus.TRANSFER_ID, t.id());
    }

    @Head("/{id}")
    @OnRoute(side = SideRule.SENDER, action = "upload-head", tus = true)
    public HttpResponse<?> head(HttpRequest<?> request, Principal principal, Decision.Admitted a, String id) {
        Transfer t = transfers.senderView(Callers.of(request, principal), a.route(), id);
        if (!(t.state() == TransferState.UPLOADING
                || t.state().deliverable()
                || t.state() == TransferState.ACKNOWLEDGED
                || t.state() == TransferState.PURGED)) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + id + " is " + t.state());
        }
        MutableHttpResponse<?> r = HttpResponse.ok()
                .header(Tus.RESUMABLE, Tus.VERSION)
                .header("Upload-Offset", Long.toString(t.state() == TransferState.UPLOADING ? t.offset() : t.length()))
                .header("Upload-Metadata", Tus.encode(t))
                .header("Cache-Control", "no-store");
        if (t.lengthKnown()) {
            r.header("Upload-Length", Long.toString(t.length()));
        } else {
            r.header(Tus.DEFER_LENGTH, "1");
        }
        if (t.state() == TransferState.UPLOADING) {
            r.header("Upload-Expires", Tus.httpDate(t.expiresAt()));
        } else {
            r.header(Tus.TRANSFER_ID, t.id());
        }
        return r;
    }

    @Delete("/{id}")
    @OnRoute(side = SideRule.SENDER, action = "upload-delete", tus = true)
    public HttpResponse<?> terminate(HttpRequest<?> request, Principal principal, Decision.Admitted a, String id) {
        transfers.terminate(Callers.of(request, principal), a.grant(), id);
        return HttpResponse.noContent().header(Tus.RESUMABLE, Tus.VERSION);
    }
}
