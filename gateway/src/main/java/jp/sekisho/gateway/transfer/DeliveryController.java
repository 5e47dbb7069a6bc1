package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAdmission;
import jp.sekisho.gateway.route.RouteGuard;
import jp.sekisho.gateway.policy.PolicyWatcher;

/**
 * After the upload: the receiver's inbox, the payload (ranged, streamed from the spool file), the
 * acknowledgment that purges the gateway's copy, and the transfer's state and receipt for both
 * sides of the route.
 */
@Controller("/api/v1/routes/{route}")
@ExecuteOn(TaskExecutors.BLOCKING)
public final class DeliveryController {

    public static final MediaType CMS = MediaType.of("application/cms");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final RouteAdmission admission;
    private final TransferService transfers;
    private final PolicyWatcher watcher;

    public DeliveryController(RouteAdmission admission, TransferService transfers, PolicyWatcher watcher) {
        this.admission = admission;
        this.transfers = transfers;
        this.watcher = watcher;
    }

    @Get("/inbox")
    @RequiresRole({Role.RECEIVER})
    public HttpResponse<String> inbox(HttpRequest<?> request, Principal principal, String route) {
        TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.RECEIVER, "inbox");
        StringBuilder sb = new StringBuilder("[");
        List<Transfer> list = transfers.inbox(route);
        for (int i = 0; i < list.size(); i++) {
            Transfer t = list.get(i);
            sb.append(i == 0 ? "" : ",").append('{');
            str(sb, "transferId", t.id()).append(',');
            str(sb, "filename", t.filename()).append(',');
            sb.append("\"size\":").append(t.length()).append(',');
            str(sb, "sha256", t.sha256()).append(',');
            sb.append("\"records\":").append(t.records()).append(',');
            str(sb, "storedAt", t.storedAt().toString()).append(',');
            str(sb, "sender", t.senderSubject()).append(',');
            str(sb, "state", t.state().name()).append('}');
        }
        return json(sb.append(']').toString());
    }

    @Get("/transfers/{id}")
    @RequiresRole({Role.SENDER, Role.RECEIVER})
    public HttpResponse<String> status(HttpRequest<?> request, Principal principal, String route, String id) {
        Transfer t = viewable(request, principal, route, id, "transfer-status");
        StringBuilder sb = new StringBuilder("{");
        str(sb, "transferId", t.id()).append(',');
        str(sb, "route", t.routeId()).append(',');
        str(sb, "approvalRef", t.approvalRef()).append(',');
        str(sb, "state", t.state().name()).append(',');
        if (t.reason() != null) {
            str(sb, "reason", t.reason()).append(',');
        }
        str(sb, "filename", t.filename()).append(',');
        sb.append("\"size\":").append(t.length()).append(',');
        sb.append("\"offset\":").append(t.offset()).append(',');
        str(sb, "sha256", t.sha256()).append(',');
        sb.append("\"records\":").append(t.records()).append(',');
        str(sb, "sender", t.senderSubject()).append(',');
        str(sb, "createdAt", t.createdAt().toString()).append(',');
        opt(sb, "storedAt", t.storedAt());
        opt(sb, "deliveredAt", t.deliveredAt());
        opt(sb, "acknowledgedAt", t.acknowledgedAt());
        str(sb, "expiresAt", t.expiresAt().toString()).append(',');
        sb.append("\"receipt\":").append(t.receipt() == null ? "null" : t.receipt());
        return json(sb.append('}').toString());
    }

    @Get("/transfers/{id}/receipt")
    @RequiresRole({Role.SENDER, Role.RECEIVER})
    public HttpResponse<String> receipt(HttpRequest<?> request, Principal principal, String route, String id) {
        Transfer t = viewable(request, principal, route, id, "transfer-receipt");
        if (t.receipt() == null) {
            throw new TransferProblem(404, "NO_RECEIPT", "transfer " + id + " is " + t.state() + " and has no receipt");
        }
        return json(t.receipt());
    }

    /**
     * The payload over HTTP/1.1 is answered by {@link PayloadHandler} in the Netty pipeline (large pieces
     * paced by the connection) with the same admission, headers and problems; this route serves what
     * does not reach it (another method, HTTP/2, an id outside [A-Za-z0-9_-]) and must stay in step with it.
     */
    @Get(value = "/transfers/{id}/payload", produces = {"application/cms", "application/problem+json"})
    @RequiresRole({Role.RECEIVER})
    public HttpResponse<?> payload(HttpRequest<?> request, Principal principal, String route, String id) {
        Admitted a = TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.RECEIVER, "download");
        String range = request.getHeaders().get("Range");
        long start = 0;
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (!m.matches()) {
                throw new TransferProblem(416, "RANGE_NOT_SATISFIABLE", "only 'Range: bytes=N-' is supported");
            }
            try {
                start = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new TransferProblem(416, "RANGE_NOT_SATISFIABLE", "range start out of bounds");
            }
        }
        Download d = transfers.openPayload(Callers.of(request, principal), a, id, start);
        Transfer t = d.transfer();
        StreamedFile body = new StreamedFile(d, CMS, t.storedAt().toEpochMilli(), d.remaining());
        var r = range == null ? HttpResponse.ok(body) : HttpResponse.status(HttpStatus.PARTIAL_CONTENT).body(body);
        if (range != null) {
            r.header("Content-Range", "bytes " + start + "-" + (t.length() - 1) + "/" + t.length());
        }
        return r.header("Accept-Ranges", "bytes").header(Tus.TRANSFER_ID, t.id())
                .header("Sekisho-Payload-Sha256", t.sha256()).header("Cache-Control", "no-store");
    }

    @Post("/transfers/{id}/ack")
    @RequiresRole({Role.RECEIVER})
    public HttpResponse<String> ack(HttpRequest<?> request, Principal principal, String route, String id,
                                    @Nullable @Body String body) {
        Admitted a = TransferHttp.admit(admission, request, principal, route, RouteGuard.Side.RECEIVER, "ack");
        String sha;
        try {
            Map<String, Object> m = Json.parseObject(body == null ? "" : body);
            sha = m.get("sha256") instanceof String s ? s : null;
        } catch (RuntimeException e) {
            sha = null;
        }
        if (sha == null || !sha.matches("[0-9a-fA-F]{64}")) {
            throw new TransferProblem(400, "METADATA_INVALID", "the body must be {\"sha256\": \"<64 hex digits>\"}");
        }
        return json(transfers.acknowledge(Callers.of(request, principal), a, id, sha));
    }

    /** Sender (own transfers) or receiver of the route: the side is the one the principal is a party of. */
    private Transfer viewable(HttpRequest<?> request, Principal principal, String route, String id, String action) {
        Route r = watcher.current().routes().get(route);
        boolean sender = r != null && r.senders().stream().anyMatch(p -> p.matches(principal.subject(), principal.sha256()))
                && principal.hasRole(Role.SENDER);
        Admitted a = TransferHttp.admit(admission, request, principal, route,
                sender ? RouteGuard.Side.SENDER : RouteGuard.Side.RECEIVER, action);
        Caller caller = Callers.of(request, principal);
        return transfers.view(caller, a.route(), id, sender);
    }

    private static HttpResponse<String> json(String body) {
        return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE).header("Cache-Control", "no-store");
    }

    private static StringBuilder str(StringBuilder sb, String key, String value) {
        Json.quote(sb, key).append(':');
        return Json.quote(sb, value);
    }

    private static void opt(StringBuilder sb, String key, java.time.Instant value) {
        if (value != null) {
            str(sb, key, value.toString()).append(',');
        }
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
