package jp.sekisho.gateway.transfer;

import java.util.ArrayDeque;
import java.util.List;
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
 * tus PATCH in the Netty pipeline, right after the HTTP decoder and before Micronaut: every body
 * chunk is appended to the spool file as it arrives and released at once, so an upload of any size
 * holds only what one socket read produced. The end of the request (fsync, offset, and for the last
 * PATCH the envelope check) runs on a blocking executor while the connection reads nothing more.
 * Everything else passes through to Micronaut untouched.
 *
 * <p>The body may come with Content-Length or chunked (the decoder hands both over as HttpContent
 * pieces ending with LastHttpContent): a client that seals while it uploads does not know the length.
 *
 * <p>Admission is the same chain as for the controllers ({@link Admission}: principal with role sender,
 * route, party, approval, then Tus-Resumable and Content-Type), run off the event loop; the outcome
 * of an admitted PATCH is recorded once when it is answered.
 */
public final class TusPatchHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TusPatchHandler.class);
    static final Pattern PATH = Pattern.compile("^/api/v1/routes/([^/?#]+)/uploads/([A-Za-z0-9_-]+)/?(?:\\?.*)?$");

    private final Supplier<TransferService> transfers;
    private final Supplier<Admission> admission;
    private final Executor blocking;

    /** The PATCH being received, or null while requests pass through. */
    private Patch patch;
    /** True while the end of a PATCH is handled off the event loop; messages arriving meanwhile wait. */
    private boolean busy;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    public TusPatchHandler(Supplier<TransferService> transfers, Supplier<Admission> admission, Executor blocking) {
        this.transfers = transfers;
        this.admission = admission;
        this.blocking = blocking;
    }

    private static final class Patch {
        final String requestId;
        final boolean keepAlive;
        AdmissionRequest request;
        /** Set once admitted (on the blocking executor, read on the event loop after the hand-back). */
        volatile Decision.Admitted admitted;
        volatile Upload upload;
        /** The outcome was recorded ({@link #completed}). */
        boolean counted;
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

    /**
     * Admits the PATCH and opens its upload on the blocking executor (audit writes and the database
     * may wait); the connection reads nothing meanwhile, and body pieces already decoded wait.
     */
    private void start(ChannelHandlerContext ctx, HttpRequest req, String routeRaw, String id) {
        String requestId = Requests.newRequestId();
        Patch p = new Patch(requestId, HttpUtil.isKeepAlive(req));
        patch = p;
        boolean expectContinue = HttpUtil.is100ContinueExpected(req);
        var h = req.headers();
        p.request = new AdmissionRequest(Entry.TUS_PATCH, ConnectionInfo.of(ctx.channel()), "PATCH", req.uri(), requestId,
                Access.roles(Role.SENDER), new RouteTarget(NettyPaths.decode(routeRaw), Side.SENDER, "upload-patch"),
                List.of(ProtocolSteps.tusVersion(h.get(Tus.RESUMABLE)),
                        ProtocolSteps.contentType(h.get(HttpHeaderNames.CONTENT_TYPE), Tus.OFFSET_TYPE)));
        String offset = h.get("Upload-Offset");
        String checksum = h.get("Upload-Checksum");
        String length = h.get("Upload-Length");
        String sha = h.get(Tus.ENVELOPE_SHA256);
        io.netty.channel.Channel ch = ctx.channel();
        pause(ctx);
        blocking.execute(() -> {
            TransferProblem refused = null;
            try {
                Decision d = admission.get().admit(p.request);
                if (d instanceof Decision.Denied x) {
                    refused = new TransferProblem(x.reason(), x.message()); // audited and counted by admit
                } else {
                    p.admitted = (Decision.Admitted) d;
                    p.upload = transfers.get().beginPatch(p.request.caller(), p.admitted.grant(), id,
                            Tus.nonNegative(offset, "Upload-Offset"), Tus.checksum(checksum),
                            Tus.declaration(length, sha), ch::close);
                }
            } catch (TransferProblem e) {
                refused = e;
                completed(p, e.reason(), e.getMessage(), e.audited());
            } catch (AuditUnavailableException e) {
                refused = NettyProblems.auditUnavailable();
                if (p.admitted != null) {
                    completed(p, refused.reason(), e.getMessage(), true);
                }
            } catch (RuntimeException e) {
                LOG.warn("PATCH {} failed to start", id, e);
                refused = new TransferProblem(Reason.INTERNAL_ERROR, null);
                completed(p, refused.reason(), null, true);
            }
            TransferProblem r = refused;
            ctx.executor().execute(() -> {
                if (r != null) {
                    answer(ctx, r, expectContinue || !p.keepAlive || r.status() == 503);
                } else if (expectContinue) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
                resume(ctx);
            });
        });
    }

    /** Records the outcome of an admitted PATCH once: success, or the refusal that ended it. */
    private void completed(Patch p, String reason, String message, boolean audited) {
        if (p.admitted != null && !p.counted) {
            p.counted = true;
            admission.get().completed(p.request, p.admitted, reason, message, audited);
        }
    }

    /** Stops reading while work for this connection runs off the event loop. */
    private void pause(ChannelHandlerContext ctx) {
        busy = true;
        ctx.channel().config().setAutoRead(false);
    }

    /** Reads again, after handing over what arrived while paused. */
    private void resume(ChannelHandlerContext ctx) {
        busy = false;
        ctx.channel().config().setAutoRead(true);
        while (!busy && !waiting.isEmpty()) {
            channelRead(ctx, waiting.poll());
        }
        ctx.read();
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
                    refusedMidBody(ctx, p, e, last);
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.warn("PATCH of {} failed: {}", p.upload.transfer().id(), e.toString());
                    p.upload.interrupted();
                    refusedMidBody(ctx, p, new TransferProblem(Reason.INTERNAL_ERROR, null), last);
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
        pause(ctx);
        blocking.execute(() -> {
            FullHttpResponse response;
            try {
                Transfer t = p.upload.finish();
                completed(p, null, null, false);
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
                response.headers().set("Upload-Offset", Long.toString(t.state() == TransferState.UPLOADING ? t.offset() : t.length()));
                if (t.state() == TransferState.UPLOADING) {
                    response.headers().set("Upload-Expires", Tus.httpDate(t.expiresAt()));
                } else {
                    response.headers().set(Tus.TRANSFER_ID, t.id());
                }
            } catch (TransferProblem e) {
                completed(p, e.reason(), e.getMessage(), e.audited());
                response = NettyProblems.response(e, p.requestId);
            } catch (AuditUnavailableException e) {
                completed(p, Reason.AUDIT_UNAVAILABLE.code(), e.getMessage(), true);
                response = NettyProblems.response(NettyProblems.auditUnavailable(), p.requestId);
            } catch (RuntimeException e) {
                LOG.warn("PATCH of {} failed", p.upload.transfer().id(), e);
                completed(p, Reason.INTERNAL_ERROR.code(), null, true);
                response = NettyProblems.response(new TransferProblem(Reason.INTERNAL_ERROR, null), p.requestId);
            }
            FullHttpResponse r = response;
            ctx.executor().execute(() -> {
                patch = null;
                send(ctx, r, p.requestId, !p.keepAlive);
                resume(ctx);
            });
        });
    }

    /**
     * How much of a body refused mid-way is read and dropped before the connection is closed
     * regardless. Closing at once, with the client still sending, makes the kernel reset the
     * connection, and most clients then lose the answer with the reason; reading on lets them see it.
     */
    static final long DROP_LIMIT = 64L * 1024 * 1024;

    /** Records a refusal in the middle of a body (off the event loop: it may write an audit event), then answers it. */
    private void refusedMidBody(ChannelHandlerContext ctx, Patch p, TransferProblem e, boolean last) {
        p.answered = true; // the rest of the body is dropped from now on
        blocking.execute(() -> {
            completed(p, e.reason(), e.getMessage(), e.audited() || e.status() >= 500);
            ctx.executor().execute(() -> answerMidBody(ctx, p, e, last));
        });
    }

    /** A refusal in the middle of a body: answered now, the connection closed once the body has ended. */
    private void answerMidBody(ChannelHandlerContext ctx, Patch p, TransferProblem e, boolean last) {
        if (last || patch != p) {
            send(ctx, NettyProblems.response(e, p.requestId), p.requestId, true);
            return;
        }
        p.closeAtEnd = true;
        if (patch != p) {
            return; // the body ended meanwhile
        }
        FullHttpResponse r = NettyProblems.response(e, p.requestId);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        patch.answered = true;
        send(ctx, r, p.requestId, false);
    }

    /** Answers a refusal now; the rest of the request body, if any, is read and dropped. */
    private void answer(ChannelHandlerContext ctx, TransferProblem e, boolean close) {
        patch.answered = true;
        send(ctx, NettyProblems.response(e, patch.requestId), patch.requestId, close);
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
