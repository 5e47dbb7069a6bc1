package jp.sekisho.gateway.transfer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.AccessFilter;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.route.RouteAccess;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAccess.Denied;
import jp.sekisho.gateway.route.RouteAdmission;
import jp.sekisho.gateway.route.RouteGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tus PATCH in the Netty pipeline, right after the HTTP decoder and before Micronaut: every body
 * chunk is appended to the spool file as it arrives and released at once, so an upload of any size
 * holds only what one socket read produced. The end of the request (fsync, offset, and for the last
 * PATCH the envelope check) runs on a blocking executor while the connection reads nothing more.
 * Everything else passes through to Micronaut untouched.
 *
 * <p>The body may come with Content-Length or chunked (the decoder hands both over as HttpContent
 * pieces ending with LastHttpContent): a client that seals while it uploads does not know the length.
 *
 * <p>Admission is the same as for the controllers: a verified principal with role sender
 * (ROLE_REQUIRED otherwise), then {@link RouteAdmission} on the route, each denial audited.
 */
public final class TusPatchHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TusPatchHandler.class);
    static final Pattern PATH = Pattern.compile("^/api/v1/routes/([^/?#]+)/uploads/([A-Za-z0-9_-]+)/?(?:\\?.*)?$");

    private final Supplier<TransferService> transfers;
    private final Supplier<RouteAdmission> admission;
    private final Executor blocking;

    /** The PATCH being received, or null while requests pass through. */
    private Patch patch;
    /** True while the end of a PATCH is handled off the event loop; messages arriving meanwhile wait. */
    private boolean busy;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    public TusPatchHandler(Supplier<TransferService> transfers, Supplier<RouteAdmission> admission, Executor blocking) {
        this.transfers = transfers;
        this.admission = admission;
        this.blocking = blocking;
    }

    private static final class Patch {
        final String requestId;
        final boolean keepAlive;
        Upload upload;
        /** Set once an answer was sent early (refusal); the rest of the body is read and dropped. */
        boolean answered;
        /** Refused mid-body: the rest of the body is read and dropped, then the connection is closed. */
        boolean closeAtEnd;
        long dropped;

        Patch(String requestId, boolean keepAlive) {
            this.requestId = requestId;
            this.keepAlive = keepAlive;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (busy) {
            waiting.add(msg);
            return;
        }
        if (msg instanceof HttpRequest req && patch == null) {
            // HttpURLConnection cannot send PATCH: tus clients on it (tus-java-client) send POST with
            // X-HTTP-Method-Override: PATCH, which tus 1.0.0 lets a server honour
            if (req.method().equals(HttpMethod.PATCH) || (req.method().equals(HttpMethod.POST)
                    && "PATCH".equalsIgnoreCase(req.headers().get("X-HTTP-Method-Override")))) {
                Matcher m = PATH.matcher(req.uri());
                if (m.matches()) {
                    start(ctx, req, m.group(1), m.group(2));
                    if (msg instanceof HttpContent c) {
                        content(ctx, c);
                    } else {
                        ReferenceCountUtil.release(msg);
                    }
                    return;
                }
            }
            ctx.fireChannelRead(msg);
            return;
        }
        if (patch != null && msg instanceof HttpContent c) {
            content(ctx, c);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void start(ChannelHandlerContext ctx, HttpRequest req, String routeRaw, String id) {
        String requestId = NettyProblems.newRequestId();
        patch = new Patch(requestId, HttpUtil.isKeepAlive(req));
        ConnectionInfo conn = ConnectionInfo.of(ctx.channel());
        try {
            if (conn == null || conn.principal() == null) {
                throw denied(conn, requestId, req, 403, AccessFilter.NO_PRINCIPAL, "no verified client certificate");
            }
            if (!conn.principal().hasAnyRole(EnumSet.of(Role.SENDER))) {
                throw denied(conn, requestId, req, 403, AccessFilter.ROLE_REQUIRED, "requires role sender");
            }
            String route = java.net.URLDecoder.decode(routeRaw, StandardCharsets.UTF_8);
            Caller caller = new Caller(conn.principal().toAudit(), conn.clientIp(), conn.client().getPort(),
                    conn.listenerPort(), requestId);
            RouteAccess access = admission.get().admit(caller, route, conn.listener(), RouteGuard.Side.SENDER, "upload-patch");
            if (access instanceof Denied d) {
                throw new TransferProblem(TransferProblem.statusOfDenial(d.reason()), d.reason(), d.message());
            }
            String version = req.headers().get(Tus.RESUMABLE);
            if (!Tus.VERSION.equals(version == null ? null : version.trim())) {
                throw new TransferProblem(412, "TUS_VERSION_UNSUPPORTED", "Tus-Resumable must be " + Tus.VERSION);
            }
            String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith(Tus.OFFSET_TYPE)) {
                throw new TransferProblem(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be " + Tus.OFFSET_TYPE);
            }
            long offset = Tus.nonNegative(req.headers().get("Upload-Offset"), "Upload-Offset");
            byte[] checksum = Tus.checksum(req.headers().get("Upload-Checksum"));
            Tus.Declaration declared = Tus.declaration(req.headers().get("Upload-Length"), req.headers().get(Tus.ENVELOPE_SHA256));
            io.netty.channel.Channel ch = ctx.channel();
            patch.upload = transfers.get().beginPatch(caller, (Admitted) access, id, offset, checksum, declared,
                    () -> ch.close());
            if (HttpUtil.is100ContinueExpected(req)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
        } catch (TransferProblem e) {
            answer(ctx, e, HttpUtil.is100ContinueExpected(req) || !patch.keepAlive);
        } catch (AuditUnavailableException e) {
            answer(ctx, new TransferProblem(503, AuditUnavailableException.REASON, "the audit log cannot record this request now"),
                    true);
        } catch (RuntimeException e) {
            LOG.warn("PATCH {} failed to start", id, e);
            answer(ctx, new TransferProblem(500, "INTERNAL_ERROR", null), true);
        }
    }

    private void content(ChannelHandlerContext ctx, HttpContent c) {
        Patch p = patch;
        boolean last = c instanceof LastHttpContent;
        try {
            if (!p.answered && p.upload != null) {
                try {
                    write(p, c.content());
                } catch (TransferProblem e) {
                    p.upload.interrupted();
                    answerMidBody(ctx, p, e, last);
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.warn("PATCH of {} failed: {}", p.upload.transfer().id(), e.toString());
                    p.upload.interrupted();
                    answerMidBody(ctx, p, new TransferProblem(500, "INTERNAL_ERROR", null), last);
                }
            } else if (p.closeAtEnd) {
                p.dropped += c.content().readableBytes();
                if (last || p.dropped > DROP_LIMIT) {
                    ctx.close();
                }
            }
        } finally {
            c.release();
        }
        if (last) {
            if (p.answered || p.upload == null) {
                patch = null;
                return;
            }
            finish(ctx, p);
        }
    }

    /**
     * Hands a piece of the body to the upload, which copies it into its spool writer's buffers: the
     * piece is released as soon as this returns. (TLS hands the body over in pieces of a record or
     * less; the writer turns them into 1 MiB writes.)
     */
    private static void write(Patch p, ByteBuf body) throws java.io.IOException {
        if (body.nioBufferCount() == 1) {
            p.upload.write(body.nioBuffer());
        } else {
            for (java.nio.ByteBuffer b : body.nioBuffers()) {
                p.upload.write(b);
            }
        }
    }

    private void finish(ChannelHandlerContext ctx, Patch p) {
        busy = true;
        ctx.channel().config().setAutoRead(false);
        blocking.execute(() -> {
            FullHttpResponse response;
            try {
                Transfer t = p.upload.finish();
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
                response.headers().set("Upload-Offset", Long.toString(t.state() == TransferState.UPLOADING ? t.offset() : t.length()));
                if (t.state() == TransferState.UPLOADING) {
                    response.headers().set("Upload-Expires", Tus.httpDate(t.expiresAt()));
                } else {
                    response.headers().set(Tus.TRANSFER_ID, t.id());
                }
            } catch (TransferProblem e) {
                response = problem(e, p.requestId);
            } catch (AuditUnavailableException e) {
                response = problem(new TransferProblem(503, AuditUnavailableException.REASON,
                        "the audit log cannot record this request now"), p.requestId);
            } catch (RuntimeException e) {
                LOG.warn("PATCH of {} failed", p.upload.transfer().id(), e);
                response = problem(new TransferProblem(500, "INTERNAL_ERROR", null), p.requestId);
            }
            FullHttpResponse r = response;
            ctx.executor().execute(() -> {
                patch = null;
                send(ctx, r, p.requestId, !p.keepAlive);
                busy = false;
                ctx.channel().config().setAutoRead(true);
                while (!busy && !waiting.isEmpty()) {
                    channelRead(ctx, waiting.poll());
                }
                ctx.read();
            });
        });
    }

    /**
     * How much of a body refused mid-way is read and dropped before the connection is closed
     * regardless. Closing at once, with the client still sending, makes the kernel reset the
     * connection, and most clients then lose the answer with the reason; reading on lets them see it.
     */
    static final long DROP_LIMIT = 64L * 1024 * 1024;

    /** A refusal in the middle of a body: answered now, the connection closed once the body has ended. */
    private void answerMidBody(ChannelHandlerContext ctx, Patch p, TransferProblem e, boolean last) {
        if (last) {
            answer(ctx, e, true);
            return;
        }
        p.closeAtEnd = true;
        FullHttpResponse r = problem(e, p.requestId);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        patch.answered = true;
        send(ctx, r, p.requestId, false);
    }

    /** Answers a refusal now; the rest of the request body, if any, is read and dropped. */
    private void answer(ChannelHandlerContext ctx, TransferProblem e, boolean close) {
        patch.answered = true;
        send(ctx, problem(e, patch.requestId), patch.requestId, close);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse r, String requestId, boolean close) {
        r.headers().set(Tus.RESUMABLE, Tus.VERSION);
        r.headers().set(Requests.HEADER, requestId);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        if (!ctx.channel().isActive()) {
            r.release();
            return;
        }
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(r);
        }
    }

    private static FullHttpResponse problem(TransferProblem e, String requestId) {
        FullHttpResponse r = NettyProblems.response(e, requestId);
        if (e.offset() != null) {
            r.headers().set("Upload-Offset", Long.toString(e.offset()));
        }
        if (e.status() == 412) {
            r.headers().set("Tus-Version", Tus.VERSION);
        }
        return r;
    }

    private TransferProblem denied(ConnectionInfo conn, String requestId, HttpRequest req, int status, String reason,
                                   String detail) {
        try {
            // the same REQUEST_DENIED event AccessFilter writes for Micronaut's routes
            auditDenied(conn, requestId, req, reason);
        } catch (AuditUnavailableException e) {
            return new TransferProblem(503, AuditUnavailableException.REASON, "the audit log cannot record this request now");
        }
        return new TransferProblem(status, reason, detail);
    }

    private void auditDenied(ConnectionInfo conn, String requestId, HttpRequest req, String reason) {
        StringBuilder d = new StringBuilder("{\"method\":\"PATCH\",\"path\":");
        Json.quote(d, req.uri()).append('}');
        transfers.get().audit().record(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY).reason(reason)
                .principal(conn == null || conn.principal() == null ? null : conn.principal().toAudit())
                .source(conn == null ? null : conn.clientIp(), conn == null ? null : conn.client().getPort())
                .listenerPort(conn == null ? null : conn.listenerPort()).requestId(requestId)
                .detailJson(d.toString()).build());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Patch p = patch;
        if (p != null && p.upload != null && !busy) {
            p.upload.interrupted(); // keeps what arrived intact (TLS-authenticated), as tus expects
        }
        while (!waiting.isEmpty()) {
            ReferenceCountUtil.release(waiting.poll());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Patch p = patch;
        if (p != null && p.upload != null && !busy) {
            p.upload.interrupted();
            patch = null;
        }
        super.exceptionCaught(ctx, cause);
    }

}
