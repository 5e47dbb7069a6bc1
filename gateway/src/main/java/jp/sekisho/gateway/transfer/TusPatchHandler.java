package jp.sekisho.gateway.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.http.Requests;
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
public final class TusPatchHandler extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(TusPatchHandler.class);
    static final Pattern PATH = Pattern.compile("^/api/v1/routes/([^/?#]+)/uploads/([A-Za-z0-9_-]+)/?(?:\\?.*)?$");

    private final Supplier<TransferService> transfers;
    private final Supplier<Admission> admission;
    private final Executor blocking;

    /** The PATCH being received, or null while requests pass through. */
    private PatchRequest patch;
    /** True while the end of a PATCH is handled off the event loop; messages arriving meanwhile wait. */
    private boolean busy;

    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    /** A read was asked for while held back ({@link #read}). */
    private boolean readHeld;

    public TusPatchHandler(Supplier<TransferService> transfers, Supplier<Admission> admission, Executor blocking) {
        this.transfers = transfers;
        this.admission = admission;
        this.blocking = blocking;
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
            if (req.method().equals(HttpMethod.PATCH)
                    || (req.method().equals(HttpMethod.POST)
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
        PatchRequest p = new PatchRequest(ctx.channel(), req, routeRaw, id);
        patch = p;
        io.netty.channel.Channel ch = ctx.channel();
        pause(ctx);
        blocking.execute(() -> {
            TransferProblem refused = p.open(admission.get(), transfers.get(), ch::close);
            ctx.executor().execute(() -> {
                if (refused != null) {
                    answer(ctx, refused, p.expectContinue || !p.keepAlive || refused.status() == 503);
                } else if (p.complete != null) {
                    p.answered = true; // complete already: the empty PATCH is answered as the last one was
                    send(ctx, PatchRequest.answer(p.complete), p.requestId, p.expectContinue || !p.keepAlive);
                } else if (p.expectContinue) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
                resume(ctx);
            });
        });
    }

    /** Stops reading while work for this connection runs off the event loop. */
    private void pause(ChannelHandlerContext ctx) {
        busy = true;
        ctx.channel().config().setAutoRead(false);
    }

    /** Reads again, after handing over what arrived while paused. */
    private void resume(ChannelHandlerContext ctx) {
        busy = false;
        PatchRequest current = patch;
        ctx.channel().config().setAutoRead(current == null || !current.throttled);
        while (!busy && !waiting.isEmpty()) {
            channelRead(ctx, waiting.poll());
        }
        PatchRequest p = patch;
        if (!busy && (p == null || !p.throttled)) {
            readHeld = false;
            ctx.read();
        }
    }

    private void content(ChannelHandlerContext ctx, HttpContent c) {
        PatchRequest p = patch;
        boolean last = c instanceof LastHttpContent;
        try {
            if (!p.answered && p.upload != null) {
                try {
                    write(p, c.content());
                    if (!last && !p.upload.hasRoom()) {
                        throttle(ctx, p);
                    }
                } catch (TransferProblem e) {
                    refusedMidBody(ctx, p, e, last);
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.warn("PATCH of {} failed: {}", p.upload.transfer().id(), e.toString());
                    // judged off the event loop: looking at the spool's marker may wait on a vanished mount
                    refusedMidBody(ctx, p, () -> transfers.get().problemOf(e), last);
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
     * The spool writer has all its buffers in flight (the disk or the hash is behind the network):
     * the connection reads nothing more until one is free. The event loop goes on serving the other
     * connections meanwhile; it never waits for the writer.
     */
    private void throttle(ChannelHandlerContext ctx, PatchRequest p) {
        if (p.throttled) {
            return;
        }
        p.throttled = true;
        ctx.channel().config().setAutoRead(false);
        p.upload.whenRoom(() -> ctx.executor().execute(() -> {
            p.throttled = false;
            if (!busy && ctx.channel().isActive()) {
                ctx.channel().config().setAutoRead(true);
                readHeld = false;
                ctx.read();
            }
        }));
    }

    /**
     * Hands a piece of the body to the upload, which copies it into its spool writer's buffers: the
     * piece is released as soon as this returns. (TLS hands the body over in pieces of a record or
     * less; the writer turns them into 1 MiB writes.)
     */
    private static void write(PatchRequest p, ByteBuf body) throws java.io.IOException {
        if (body.nioBufferCount() == 1) {
            p.upload.write(body.nioBuffer());
        } else {
            for (java.nio.ByteBuffer b : body.nioBuffers()) {
                p.upload.write(b);
            }
        }
    }

    private void finish(ChannelHandlerContext ctx, PatchRequest p) {
        pause(ctx);
        blocking.execute(() -> {
            FullHttpResponse r = p.finish(admission.get());
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
    private void refusedMidBody(ChannelHandlerContext ctx, PatchRequest p, TransferProblem e, boolean last) {
        refusedMidBody(ctx, p, () -> e, last);
    }

    private void refusedMidBody(
            ChannelHandlerContext ctx, PatchRequest p, Supplier<TransferProblem> problem, boolean last) {
        p.answered = true; // the rest of the body is dropped from now on
        blocking.execute(() -> {
            TransferProblem e = problem.get();
            p.refusedMidBody(admission.get(), e);
            ctx.executor().execute(() -> answerMidBody(ctx, p, e, last));
        });
    }

    /** A refusal in the middle of a body: answered now, the connection closed once the body has ended. */
    private void answerMidBody(ChannelHandlerContext ctx, PatchRequest p, TransferProblem e, boolean last) {
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

    /**
     * Holds back the reads that handlers behind this one ask for (Micronaut's asks for more when it
     * sees no request) while this connection must not read: a PATCH being admitted or finished, or a
     * spool writer with no free buffer. Turning autoRead off alone would not stop them.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
        PatchRequest p = patch;
        if (busy || (p != null && p.throttled)) {
            readHeld = true;
            return;
        }
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        PatchRequest p = patch;
        if (p != null && p.upload != null && !busy && !p.answered) {
            // keeps what arrived intact (TLS-authenticated), as tus expects: fsync and database, off the event loop
            Upload u = p.upload;
            blocking.execute(u::interrupted);
        }
        while (!waiting.isEmpty()) {
            ReferenceCountUtil.release(waiting.poll());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        PatchRequest p = patch;
        if (p != null && p.upload != null && !busy && !p.answered) {
            p.answered = true;
            Upload u = p.upload;
            blocking.execute(u::interrupted);
            patch = null;
        }
        super.exceptionCaught(ctx, cause);
    }
}
