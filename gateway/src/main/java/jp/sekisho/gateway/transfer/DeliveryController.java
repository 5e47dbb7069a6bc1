package jp.sekisho.gateway.transfer;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.admission.Decision;
import jp.sekisho.gateway.admission.OnRoute;
import jp.sekisho.gateway.admission.OnRoute.SideRule;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.admission.Side;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * After the upload: the receiver's inbox, the payload (ranged, streamed from the spool file), the
 * acknowledgment that purges the gateway's copy, and the transfer's state and receipt for both
 * sides of the route. Admission (route, party, approval) has run before any method here.
 */
@Controller("/api/v1/routes/{route}")
@ExecuteOn(TaskExecutors.BLOCKING)
public final class DeliveryController {

    public static final MediaType CMS = MediaType.of("application/cms");

    private final TransferService transfers;

    public DeliveryController(TransferService transfers) {
        this.transfers = transfers;
    }

    /** Response header: the wait this listing was given in seconds (0: answered at once, the node holds enough waiters). */
    public static final String INBOX_WAIT = "Sekisho-Inbox-Wait";

    /**
     * The receiver's inbox. With {@code wait} (0..60 s) an empty inbox is held until a transfer of the
     * route is stored, on any node, or the wait ends; the answer is then what the store lists. The
     * admission ran before and the access is audited once, when answered.
     */
    @Get("/inbox")
    @RequiresRole({Role.RECEIVER})
    @OnRoute(side = SideRule.RECEIVER, action = "inbox")
    public CompletableFuture<HttpResponse<String>> inbox(Decision.Admitted a, @Nullable @QueryValue String wait) {
        InboxWaits.Pending p = transfers.inbox(a.route().id(), InboxWait.parse(wait));
        String granted = Long.toString(p.granted().toSeconds());
        return p.answer().thenApply(list -> json(inboxJson(list)).header(INBOX_WAIT, granted));
    }

    private static String inboxJson(List<Transfer> list) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            Transfer t = list.get(i);
            sb.append(i == 0 ? "" : ",").append('{');
            file(sb, t);
            str(sb, "storedAt", t.storedAt().toString()).append(',');
            str(sb, "state", t.state().name()).append('}');
        }
        return sb.append(']').toString();
    }

    @Get("/transfers/{id}")
    @RequiresRole({Role.SENDER, Role.RECEIVER})
    @OnRoute(side = SideRule.PARTY, action = "transfer-status")
    public HttpResponse<String> status(HttpRequest<?> request, Principal principal, Decision.Admitted a, String id) {
        Transfer t = viewable(request, principal, a, id);
        StringBuilder sb = new StringBuilder("{");
        file(sb, t);
        str(sb, "route", t.routeId()).append(',');
        str(sb, "approvalRef", t.approvalRef()).append(',');
        str(sb, "state", t.state().name()).append(',');
        if (t.reason() != null) {
            str(sb, "reason", t.reason()).append(',');
        }
        sb.append("\"offset\":").append(t.offset()).append(',');
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
    @OnRoute(side = SideRule.PARTY, action = "transfer-receipt")
    public HttpResponse<String> receipt(HttpRequest<?> request, Principal principal, Decision.Admitted a, String id) {
        Transfer t = viewable(request, principal, a, id);
        if (t.receipt() == null) {
            throw new TransferProblem(Reason.NO_RECEIPT, "transfer " + id + " is " + t.state() + " and has no receipt");
        }
        return json(t.receipt());
    }

    /**
     * The payload over HTTP/1.1 is answered by {@link PayloadHandler} in the Netty pipeline (large pieces
     * paced by the connection) with the same admission; this route serves what does not reach it
     * (HTTP/2, an id outside [A-Za-z0-9_-]) and shares its range and headers ({@link PayloadRange},
     * {@link PayloadHeaders}).
     */
    @Get(
            value = "/transfers/{id}/payload",
            produces = {"application/cms", "application/problem+json"})
    @RequiresRole({Role.RECEIVER})
    @OnRoute(side = SideRule.RECEIVER, action = "download")
    public HttpResponse<?> payload(HttpRequest<?> request, Principal principal, Decision.Admitted a, String id) {
        String range = request.getHeaders().get("Range");
        long start = PayloadRange.start(range);
        Download d = transfers.openPayload(Callers.of(request, principal), a.grant(), id, start);
        Transfer t = d.transfer();
        StreamedFile body = new StreamedFile(d, CMS, t.storedAt().toEpochMilli(), d.remaining());
        var r = range == null
                ? HttpResponse.ok(body)
                : HttpResponse.status(HttpStatus.PARTIAL_CONTENT).body(body);
        PayloadHeaders.of(t, range == null ? null : start).forEach(r::header);
        return r;
    }

    @Post("/transfers/{id}/ack")
    @RequiresRole({Role.RECEIVER})
    @OnRoute(side = SideRule.RECEIVER, action = "ack")
    public HttpResponse<String> ack(
            HttpRequest<?> request, Principal principal, Decision.Admitted a, String id, @Nullable @Body String body) {
        String sha;
        try {
            Map<String, Object> m = Json.parseObject(body == null ? "" : body);
            sha = m.get("sha256") instanceof String s ? s : null;
        } catch (RuntimeException e) {
            sha = null;
        }
        if (sha == null || !sha.matches("[0-9a-fA-F]{64}")) {
            throw new TransferProblem(Reason.METADATA_INVALID, "the body must be {\"sha256\": \"<64 hex digits>\"}");
        }
        return json(transfers.acknowledge(Callers.of(request, principal), a.grant(), id, sha));
    }

    /** Senders see only their own transfers; receivers every transfer of the route. */
    private Transfer viewable(HttpRequest<?> request, Principal principal, Decision.Admitted a, String id) {
        return transfers.view(Callers.of(request, principal), a.route(), id, a.side() == Side.SENDER);
    }

    private static MutableHttpResponse<String> json(String body) {
        return HttpResponse.ok(body)
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store");
    }

    /** The fields that describe the file itself, each followed by a comma. */
    private static void file(StringBuilder sb, Transfer t) {
        str(sb, "transferId", t.id()).append(',');
        str(sb, "filename", t.filename()).append(',');
        sb.append("\"size\":").append(t.length()).append(',');
        str(sb, "sha256", t.sha256()).append(',');
        sb.append("\"records\":").append(t.records()).append(',');
        str(sb, "sender", t.senderSubject()).append(',');
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
}
