package jp.sekisho.gateway.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.gateway.admission.Access;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.admission.AdmissionRequest;
import jp.sekisho.gateway.admission.Decision;
import jp.sekisho.gateway.admission.Entry;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.admission.RouteTarget;
import jp.sekisho.gateway.admission.Side;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/routes/{route}/transfers/{id}/payload} in the Netty pipeline, beside
 * {@link TusPatchHandler}: Micronaut wrote a {@link Download} 8 KiB at a time with a
 * thread hop for each piece, and a Publisher of larger pieces was not paced by the connection. Here
 * the envelope leaves in {@link #PIECE} pieces read on the blocking executor into pooled buffers;
 * the next piece is read only while fewer than {@link #IN_FLIGHT} pieces are read or not yet written
 * to the socket, so a download holds at most {@code IN_FLIGHT * PIECE} bytes however slow its
 * receiver is. The read of the last byte commits TRANSFER_DELIVERED (on the blocking executor);
 * a read that fails (the route stopped being ACTIVE, the transfer was acknowledged) cuts the
 * connection. The Download is closed when the response ends or the connection goes.
 *
 * <p>Admission is the same chain as for the controller route it replaces ({@link Admission}: verified
 * principal, role receiver, route, party, approval; action {@code download}), then the Range header.
 * HEAD and anything else pass through to Micronaut.
 */
public final class PayloadHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(PayloadHandler.class);
    static final Pattern PATH =
            Pattern.compile("^/api/v1/routes/([^/?#]+)/transfers/([A-Za-z0-9_-]+)/payload/?(?:\\?.*)?$");
    /** Bytes read from the spool per piece. */
    static final int PIECE = 1 << 20;
    /** Pieces of one download being read or not yet written to the socket. */
    static final int IN_FLIGHT = 2;

    private final Supplier<TransferService> transfers;
    private final Supplier<Admission> admission;
    private final Executor blocking;

    /** True from a payload request until its response ended; requests arriving meanwhile wait. */
    private boolean busy;
    /** True while the (unexpected) body of an intercepted GET is dropped. */
    private boolean dropping;

    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    /** The payload being sent, or null. */
    private Get get;

    public PayloadHandler(Supplier<TransferService> transfers, Supplier<Admission> admission, Executor blocking) {
        this.transfers = transfers;
        this.admission = admission;
        this.blocking = blocking;
    }

    /** One payload on its way out; fields are touched on the event loop only, except {@link #download} reads. */
    private static final class Get {
        final Download download;
        final boolean keepAlive;
        final long length;
        /** Bytes read (or being read) so far. */
        long requested;

        int inFlight;
        boolean reading;
        /** The response ended or the connection went: nothing more is read, the download is closed. */
        boolean over;

        boolean closed;

        Get(Download download, boolean keepAlive) {
            this.download = download;
            this.keepAlive = keepAlive;
            this.length = download.remaining();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropping && msg instanceof HttpContent c) {
            dropping = !(c instanceof LastHttpContent);
            c.release();
            return;
        }
        if (busy) {
            waiting.add(msg);
            return;
        }
        if (msg instanceof HttpRequest req && req.method().equals(HttpMethod.GET)) {
            Matcher m = PATH.matcher(req.uri());
            if (m.matches()) {
                busy = true;
                dropping = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                start(ctx, req, m.group(1), m.group(2));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The answer to a payload request: the response head and an open download, or a whole problem response. */
    private record Answer(HttpResponse head, Download download) {}

    private void start(ChannelHandlerContext ctx, HttpRequest req, String routeRaw, String id) {
        String requestId = Requests.newRequestId();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        AdmissionRequest request = new AdmissionRequest(
                Entry.PAYLOAD,
                ConnectionInfo.of(ctx.channel()),
                "GET",
                req.uri(),
                requestId,
                Access.roles(Role.RECEIVER),
                new RouteTarget(NettyPaths.decode(routeRaw), Side.RECEIVER, "download"),
                List.of());
        String range = req.headers().get(HttpHeaderNames.RANGE);
        blocking.execute(() -> {
            Answer answer = admitAndOpen(request, id, range);
            ctx.executor().execute(() -> begin(ctx, answer, keepAlive));
        });
    }

    /** Runs on the blocking executor: audit writes, the route check and opening the spool file may block. */
    private Answer admitAndOpen(AdmissionRequest request, String id, String range) {
        Decision d;
        try {
            d = admission.get().admit(request);
        } catch (AuditUnavailableException e) {
            return new Answer(problem(NettyProblems.auditUnavailable(), request.requestId()), null);
        } catch (RuntimeException e) {
            LOG.warn("payload of {} failed to start", id, e);
            return new Answer(problem(NettyProblems.unexpected(e), request.requestId()), null);
        }
        if (d instanceof Decision.Denied x) {
            return new Answer(problem(new TransferProblem(x.reason(), x.message()), request.requestId()), null);
        }
        Decision.Admitted a = (Decision.Admitted) d;
        try {
            long start = PayloadRange.start(range);
            Download download = transfers.get().openPayload(request.caller(), a.grant(), id, start);
            Transfer t = download.transfer();
            HttpResponse head = new DefaultHttpResponse(
                    HttpVersion.HTTP_1_1, range == null ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, DeliveryController.CMS.toString());
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, download.remaining());
            PayloadHeaders.of(t, range == null ? null : start).forEach(head.headers()::set);
            // what Micronaut sends for a StreamedFile besides the controller's headers
            java.time.Instant now = java.time.Instant.now();
            head.headers().set(HttpHeaderNames.DATE, Tus.httpDate(now));
            head.headers().set(Requests.HEADER, request.requestId());
            head.headers().set(HttpHeaderNames.EXPIRES, Tus.httpDate(now.plusSeconds(60)));
            head.headers().set(HttpHeaderNames.LAST_MODIFIED, Tus.httpDate(t.storedAt()));
            admission.get().completed(request, a, null, null, false);
            return new Answer(head, download);
        } catch (TransferProblem e) {
            admission.get().completed(request, a, e.reason(), e.getMessage(), e.audited());
            return new Answer(problem(e, request.requestId()), null);
        } catch (AuditUnavailableException e) {
            admission.get().completed(request, a, Reason.AUDIT_UNAVAILABLE.code(), e.getMessage(), true);
            return new Answer(problem(NettyProblems.auditUnavailable(), request.requestId()), null);
        } catch (RuntimeException e) {
            LOG.warn("payload of {} failed to start", id, e);
            TransferProblem answer = NettyProblems.unexpected(e);
            admission.get().completed(request, a, answer.reason(), null, true);
            return new Answer(problem(answer, request.requestId()), null);
        }
    }

    private void begin(ChannelHandlerContext ctx, Answer a, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(a.head());
            if (a.download() != null) {
                closeQuietly(a.download());
            }
            return;
        }
        if (a.download() == null) {
            FullHttpResponse r = (FullHttpResponse) a.head();
            if (keepAlive) {
                ctx.writeAndFlush(r);
                ended(ctx);
            } else {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        Get g = new Get(a.download(), keepAlive);
        get = g;
        if (!keepAlive) {
            a.head().headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (g.length == 0) {
            ctx.write(a.head());
            last(ctx, g, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        ctx.write(a.head());
        pump(ctx, g);
    }

    /** Starts reading the next piece if this download has room for one. */
    private void pump(ChannelHandlerContext ctx, Get g) {
        if (g.over || g.reading || g.inFlight >= IN_FLIGHT || g.requested >= g.length) {
            return;
        }
        int n = (int) Math.min(PIECE, g.length - g.requested);
        boolean isLast = g.requested + n == g.length;
        g.requested += n;
        g.reading = true;
        g.inFlight++;
        ByteBuf buf = ctx.alloc().buffer(n, n);
        blocking.execute(() -> {
            Throwable failure = null;
            try {
                ByteBuffer dst = buf.nioBuffer(0, n);
                while (dst.hasRemaining()) {
                    if (g.download.read(dst) < 0) {
                        throw new IOException("the spool file ended early");
                    }
                }
                buf.writerIndex(n);
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            Throwable f = failure;
            ctx.executor().execute(() -> read(ctx, g, buf, isLast, f));
        });
    }

    /** A piece was read (on the event loop again): write it, or cut the connection if the read failed. */
    private void read(ChannelHandlerContext ctx, Get g, ByteBuf buf, boolean isLast, Throwable failure) {
        g.reading = false;
        if (g.over || failure != null) {
            buf.release();
            boolean cut = failure != null && !g.over;
            g.over = true;
            if (cut) {
                // the route stopped, the transfer was acknowledged, or the file is gone: the receiver sees
                // the connection cut before the last byte and resumes with a Range later
                LOG.info("payload of {} cut: {}", g.download.transfer().id(), failure.getMessage());
                ctx.close();
            }
            close(g);
            return;
        }
        if (isLast) {
            last(ctx, g, ctx.writeAndFlush(new DefaultLastHttpContent(buf)));
            return;
        }
        ctx.writeAndFlush(new DefaultHttpContent(buf)).addListener(f -> {
            g.inFlight--;
            if (!f.isSuccess()) {
                g.over = true;
                close(g);
                ctx.close();
            } else {
                pump(ctx, g);
            }
        });
        pump(ctx, g);
    }

    private void last(ChannelHandlerContext ctx, Get g, io.netty.channel.ChannelFuture written) {
        written.addListener(f -> {
            g.over = true;
            close(g);
            if (!f.isSuccess() || !g.keepAlive) {
                ctx.close();
                return;
            }
            if (get == g) {
                get = null;
            }
            ended(ctx);
        });
    }

    /** The response is complete and the connection stays: requests that arrived meanwhile go on. */
    private void ended(ChannelHandlerContext ctx) {
        busy = false;
        while (!busy && !waiting.isEmpty()) {
            channelRead(ctx, waiting.poll());
        }
        if (!busy) {
            ctx.read();
        }
    }

    /** Closes the download once no read of it is running (a running read closes it when it returns). */
    private void close(Get g) {
        if (!g.closed && !g.reading) {
            g.closed = true;
            closeQuietly(g.download);
        }
    }

    private static void closeQuietly(Download d) {
        try {
            d.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the payload of {}: {}", d.transfer().id(), e.toString());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        Get g = get;
        if (g != null && ctx.channel().isWritable()) {
            pump(ctx, g);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Get g = get;
        if (g != null) {
            g.over = true;
            close(g);
            get = null;
        }
        while (!waiting.isEmpty()) {
            ReferenceCountUtil.release(waiting.poll());
        }
        super.channelInactive(ctx);
    }

    /** The RFC 9457 answer, with the headers TransferHttp gives the same problem on the Micronaut route. */
    private static FullHttpResponse problem(TransferProblem e, String requestId) {
        FullHttpResponse r = NettyProblems.response(e, requestId);
        r.headers().set(HttpHeaderNames.DATE, Tus.httpDate(java.time.Instant.now()));
        return r;
    }
}
