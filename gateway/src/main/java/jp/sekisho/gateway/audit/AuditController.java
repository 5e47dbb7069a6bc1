package jp.sekisho.gateway.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.types.files.StreamedFile;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.read.ExportFormat;
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

    private final AuditStore store;

    public AuditController(AuditStore store) {
        this.store = store;
    }

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
        List<RecordedEvent> events = store.reader().search(q, principal.toAudit());
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            EventJson.event(json, events.get(i));
        }
        return HttpResponse.ok(json.append(']').toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** Streams JSON Lines (with chain fields and checkpoints) or CSV; millions of rows in constant memory. */
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
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out;
        try {
            out = new PipedOutputStream(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the answer's status is sent before the stream: wait until the export wrote its first bytes, so
        // an export the store cannot start (AUDIT_READ not recorded, store down) is a 503, not an empty 200
        CompletableFuture<Void> started = new CompletableFuture<>();
        OutputStream first = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                started.complete(null);
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                started.complete(null);
                out.write(b);
            }
        };
        Thread writer = new Thread(
                () -> {
                    try (out) {
                        store.reader().export(q, principal.toAudit(), f, first);
                        started.complete(null);
                    } catch (IOException | RuntimeException e) {
                        // before the first byte: the caller answers with it; after: the stream ends early
                        // and verify will say so
                        started.completeExceptionally(e);
                    }
                },
                "sekisho-audit-export");
        writer.setDaemon(true);
        writer.start();
        awaitStart(started);
        MediaType type = f == ExportFormat.JSONL ? new MediaType("application/x-ndjson") : new MediaType("text/csv");
        return HttpResponse.ok(new StreamedFile(in, type));
    }

    /** Rethrows what kept the export from starting (AuditUnavailableException: 503); waits at most a minute. */
    private static void awaitStart(CompletableFuture<Void> started) {
        try {
            started.get(EXPORT_START_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException(e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (TimeoutException e) {
            // slow to start but not failed: stream what comes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while the export started");
        }
    }

    private static final long EXPORT_START_SECONDS = 60;

    @Get("/verify")
    public HttpResponse<?> verify(Principal principal, @Nullable @QueryValue String node) {
        VerifyResult r = store.reader().verify(store.signingKey().publicKey(), node, principal.toAudit());
        String json;
        if (r instanceof VerifyResult.Ok ok) {
            json = "{\"ok\":true,\"events\":" + ok.events() + ",\"checkpoints\":" + ok.checkpoints() + "}";
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

    /** The public half of the audit signing key, for offline verification of exports. */
    @Get(value = "/signing-key", produces = "application/x-pem-file")
    public String signingKey() {
        return jp.sekisho.certs.Pem.encode(store.signingKey().publicKey());
    }
}
