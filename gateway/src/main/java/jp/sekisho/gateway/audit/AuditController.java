package jp.sekisho.gateway.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.keys.KeyRegistry;
import jp.sekisho.audit.keys.RegisteredKey;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.read.EventPage;
import jp.sekisho.audit.read.ExportFormat;
import jp.sekisho.audit.read.ExportSnapshot;
import jp.sekisho.audit.read.QueryParameters;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * The audit log for security staff (auditor role, admin listener): search, streaming export that
 * verifies offline, verification on the store, and the public key that checks the signed
 * checkpoints. Every read is itself recorded (AUDIT_READ) by the audit module's reader.
 */
@AdminApi
@Controller("/api/v1/audit")
@RequiresRole(Role.AUDITOR)
public final class AuditController {

    /** Response header of a search: {@code true} when more events match than the page holds. */
    static final String MORE = "Sekisho-More";

    private final AuditStore store;

    public AuditController(AuditStore store) {
        this.store = store;
    }

    /**
     * Matching events as a JSON array (the body it always was), in chain order or, with {@code
     * order=newest}, newest first. Never cut silently: {@code Sekisho-More} says whether more events
     * match, and when they do {@code Link: <...>; rel="next"} is the next page's URL (the same
     * filters, a relative {@code since} resolved to {@code from}, and the cursor after this page).
     */
    @Get("/events")
    public HttpResponse<?> search(HttpRequest<?> request, Principal principal) {
        AuditQuery q;
        try {
            // limit read here, not bound by Micronaut: a bad one is QUERY_INVALID like every other filter
            q = AuditQueryParams.query(request.getParameters())
                    .limit(AuditQueryParams.limit(request.getParameters().get("limit")));
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        EventPage page = store.reader().page(q, principal.toAudit());
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < page.events().size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            EventJson.event(json, page.events().get(i));
        }
        MutableHttpResponse<String> res = HttpResponse.ok(json.append(']').toString())
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(MORE, Boolean.toString(page.more()));
        if (page.more()) {
            res.header(
                    HttpHeaders.LINK,
                    "<" + request.getPath() + "?" + QueryParameters.queryString(QueryParameters.next(q, page))
                            + ">; rel=\"next\"");
        }
        return res;
    }

    /**
     * Streams JSON Lines (with chain fields and checkpoints) or CSV from one snapshot, in constant
     * memory, closed by an end record (an error record if the store fails mid-stream): see
     * docs/audit-export.md.
     */
    @Get("/export")
    public HttpResponse<?> export(HttpRequest<?> request, Principal principal, @Nullable @QueryValue String format) {
        AuditQuery q;
        ExportFormat f;
        try {
            q = AuditQueryParams.query(request.getParameters());
            f = AuditQueryParams.format(format);
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        // audited and its snapshot taken here: a store that is down is a 503 before the response starts
        ExportSnapshot snapshot = store.reader().openExport(q, principal.toAudit(), f);
        return HttpResponse.ok(ExportStream.of(snapshot, f));
    }

    @Get("/verify")
    public HttpResponse<?> verify(Principal principal, @Nullable @QueryValue String node) {
        // every node's registered keys, each bound to its node by the chains themselves
        VerifyResult r = store.reader()
                .verify(KeyRegistry.keySet(store.database().dataSource()), node, principal.toAudit(), false);
        String json;
        if (r instanceof VerifyResult.Ok ok) {
            json = "{\"ok\":true,\"events\":" + ok.events() + ",\"checkpoints\":" + ok.checkpoints() + ",\"notes\":"
                    + jp.sekisho.audit.json.Json.write(ok.notes()) + "}";
        } else {
            VerifyResult.Broken b = (VerifyResult.Broken) r;
            StringBuilder sb = new StringBuilder("{\"ok\":false,\"node\":");
            jp.sekisho.audit.json.Json.quote(sb, b.nodeId())
                    .append(",\"seq\":")
                    .append(b.seq())
                    .append(",\"kind\":\"")
                    .append(b.kind())
                    .append("\",\"message\":");
            jp.sekisho.audit.json.Json.quote(sb, b.message()).append('}');
            json = sb.toString();
        }
        return HttpResponse.ok(json).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /**
     * Every node's registered signing keys (node, keyId, fingerprint, algorithm, publicKey PEM, registeredAt,
     * registeredBy, origin, retiredAt), for {@code audit verify --keys} and offline verification of multi-node
     * exports. Kept beside {@code signing-key}, which is this node's active key only.
     */
    @Get(value = "/signing-keys", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> signingKeys() {
        java.util.List<Object> list = new java.util.ArrayList<>();
        for (RegisteredKey k : KeyRegistry.list(store.database().dataSource())) {
            list.add(k.toJson());
        }
        return HttpResponse.ok(jp.sekisho.audit.json.Json.write(list)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** The public half of this node's audit signing key, for offline verification of its exports. */
    @Get(value = "/signing-key", produces = "application/x-pem-file")
    public String signingKey() {
        return jp.sekisho.certs.Pem.encode(store.signingKey().publicKey());
    }
}
