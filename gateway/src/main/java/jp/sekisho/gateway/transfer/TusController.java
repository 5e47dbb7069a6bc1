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
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAdmission;
import jp.sekisho.gateway.route.RouteGuard;

/**
 * tus 1.0.0 on {@code /api/v1/routes/{route}/uploads} for the route's senders: OPTIONS, creation
 * (POST), HEAD and termination (DELETE). PATCH never reaches Micronaut: {@link TusPatchHandler}
 * streams it to the spool in the Netty pipeline, so no upload body is ever aggregated in memory.
 */
@Controller("/api/v1/routes/{route}/uploads")
@RequiresRole({Role.SENDER})
@ExecuteOn(TaskExecutors.BLOCKING)
public final class TusController {

    private final RouteAdmission admission;
    private final TransferService transfers;

    public TusController(RouteAdmission admission, TransferService transfers) {
        this.admission = admission;
        this.transfers = transfers;
    }

    @Options
    public HttpResponse<?> options(HttpRequest<?> request, Principal principal, String route) {
        Admitted a = TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.SENDER, "upload-options");
        return HttpResponse.noContent().header(Tus.RESUMABLE, Tus.VERSION).header("Tus-Version", Tus.VERSION)
                .header("Tus-Extension", Tus.EXTENSIONS).header("Tus-Max-Size", Long.toString(a.route().maxPayloadBytes()))
                .header("Tus-Checksum-Algorithm", "sha256");
    }

    @Post
    public HttpResponse<?> create(HttpRequest<?> request, Principal principal, String route) {
        Admitted a = TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.SENDER, "upload-create");
        tusVersion(request);
        // null: Upload-Defer-Length, the client seals while it uploads and declares length and sha256 by PATCH
        Long length = Tus.creationLength(request.getHeaders().get("Upload-Length"), request.getHeaders().get(Tus.DEFER_LENGTH));
        Tus.Metadata md = Tus.metadata(request.getHeaders().get("Upload-Metadata"), length != null);
        Transfer t = transfers.create(Callers.of(request, principal), a, length, md.filename(), md.sha256(), md.records());
        return HttpResponse.status(HttpStatus.CREATED).header("Location", Tus.location(route, t.id()))
                .header("Upload-Expires", Tus.httpDate(t.expiresAt())).header(Tus.RESUMABLE, Tus.VERSION)
                .header(Tus.TRANSFER_ID, t.id());
    }

    @Head("/{id}")
    public HttpResponse<?> head(HttpRequest<?> request, Principal principal, String route, String id) {
        Admitted a = TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.SENDER, "upload-head");
        tusVersion(request);
        Transfer t = transfers.senderView(Callers.of(request, principal), a.route(), id);
        if (!(t.state() == TransferState.UPLOADING || t.state().deliverable()
                || t.state() == TransferState.ACKNOWLEDGED || t.state() == TransferState.PURGED)) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + id + " is " + t.state());
        }
        MutableHttpResponse<?> r = HttpResponse.ok().header(Tus.RESUMABLE, Tus.VERSION)
                .header("Upload-Offset", Long.toString(t.state() == TransferState.UPLOADING ? t.offset() : t.length()))
                .header("Upload-Metadata", Tus.encode(t)).header("Cache-Control", "no-store");
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
    public HttpResponse<?> terminate(HttpRequest<?> request, Principal principal, String route, String id) {
        Admitted a = TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.SENDER, "upload-delete");
        tusVersion(request);
        transfers.terminate(Callers.of(request, principal), a, id);
        return HttpResponse.noContent().header(Tus.RESUMABLE, Tus.VERSION);
    }

    static void tusVersion(HttpRequest<?> request) {
        String v = request.getHeaders().get(Tus.RESUMABLE);
        if (!Tus.VERSION.equals(v == null ? null : v.trim())) {
            throw new TransferProblem(412, "TUS_VERSION_UNSUPPORTED", "Tus-Resumable must be " + Tus.VERSION);
        }
    }
}
