package jp.sekisho.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.input.RequestGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay on one terminal connection, last in its pipeline (after the request guard): judges each
 * request ({@link RelayAdmission}), then streams it to an upstream connection and the response back,
 * with Netty's codecs on both sides and no aggregation. Each side reads only while the other can
 * take what it reads (autoRead toggled on writability, as Netty's proxy example does), so a body of
 * any size passes in constant memory. Requests on one connection are relayed one at a time; one
 * that arrives early waits, unread beyond what the decoder already holds.
 *
 * <p>Every request ends in exactly one RELAY_REQUEST event ({@link RelayAudit}): forwarded (ALLOW,
 * whatever the upstream answered), refused before the upstream, or cut (DENY with the reason).
 */
final class RelayHandler extends ChannelInboundHandlerAdapter implements UpstreamListener {

    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

    private final RelayContext rc;
    /** {@code https} or {@code http}: what the terminal spoke, for Forwarded's proto. */
    private final String proto;

    private ChannelHandlerContext ctx;
    /** The request being relayed, or null between requests. */
    private RelayExchange ex;

    private RelayCutoff.Live live;
    private HttpRequest upstreamHead;
    private Channel up;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    /** Swallowing the end of an interim (1xx) response. */
    private boolean interim;

    private boolean upstreamReusable;
    private boolean closeAfterResponse;
    private boolean http10;
    private boolean splicing;
    /** A request was refused or cut: everything else on the connection is dropped until it closes. */
    private boolean closing;

    private ScheduledFuture<?> firstByte;
    /** Body parts read before the upstream connection was ready. */
    private final ArrayDeque<HttpContent> early = new ArrayDeque<>();
    /** What arrived after the current request's end while its response is still on its way. */
    private final ArrayDeque<Object> next = new ArrayDeque<>();

    RelayHandler(RelayContext rc, String proto) {
        this.rc = rc;
        this.proto = proto;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- the terminal's side ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (splicing) {
            if (msg instanceof ByteBuf b && up != null) {
                ex.bytesIn += b.readableBytes();
                up.write(b);
                if (!up.isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (ex != null && requestDone) {
            next.addLast(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (msg instanceof HttpRequest head) {
            if (ex != null) { // a head inside a body cannot come from the decoder; refuse to guess
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            start(head);
            if (msg instanceof HttpContent c && ex != null && !closing) {
                body(c);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpContent c && ex != null) {
            body(c);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void start(HttpRequest head) {
        ConnectionInfo info = ConnectionInfo.of(ctx.channel());
        RelayExchange x = new RelayExchange(
                Requests.newRequestId(),
                info.listener(),
                info.listenerPort(),
                info.clientIp(),
                info.client().getPort(),
                info.principal() == null ? null : info.principal().toAudit(),
                head.method().name(),
                head.uri());
        ex = x;
        requestDone = false;
        responseStarted = false;
        responseDone = false;
        boolean websocket = head.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        RelayAsk ask = new RelayAsk(
                info.listener(),
                info.client().getAddress(),
                info.principal(),
                head.method().name(),
                x.path,
                HttpUtil.getContentLength(head, -1L),
                websocket,
                rc.clock().instant());
        RelayDecision d = rc.admission().decide(rc.policy().get(), ask);
        if (d instanceof RelayDecision.Refuse r) {
            x.route = r.route();
            refuse(r.reason(), r.message(), head.headers().get(HttpHeaderNames.ACCEPT));
            return;
        }
        RelayRoute route = ((RelayDecision.Forward) d).route();
        x.route = route;
        x.websocket = websocket;
        http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
        closeAfterResponse = !HttpUtil.isKeepAlive(head) || websocket;
        HttpRequest out = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1, head.method(), head.uri(), head.headers().copy());
        HopHeaders.request(
                out.headers(),
                info.client().getAddress(),
                proto,
                route.upstream().hostHeader(),
                websocket);
        upstreamHead = out;
        live = new RelayCutoff.Live() {
            @Override
            public RelayRoute route() {
                return route;
            }

            @Override
            public void cut(Reason reason) {
                ctx.executor().execute(() -> {
                    if (ex == x) {
                        RelayHandler.this.fail(reason, "cut: relay route " + route.id() + " is " + reason.code());
                    }
                });
            }
        };
        rc.cutoff().add(live);
        ctx.channel().config().setAutoRead(false); // the body waits for the upstream connection
        rc.upstreams().acquire(route.upstream(), ctx.channel().eventLoop()).addListener(f -> connected(x, f));
    }

    private void body(HttpContent c) {
        ex.bytesIn += c.content().readableBytes();
        if (ex.route != null && ex.bytesIn > ex.route.limits().maxBodyBytes()) {
            ReferenceCountUtil.release(c);
            fail(
                    Reason.REQUEST_BODY_TOO_LARGE,
                    "the body grew past max-body " + ex.route.limits().maxBodyBytes());
            return;
        }
        boolean last = c instanceof LastHttpContent;
        if (up == null) {
            early.addLast(c);
        } else {
            up.write(c);
        }
        if (last) {
            requestDone = true;
            ctx.channel().config().setAutoRead(false); // the next request waits for this one's response
            if (up != null) {
                up.flush();
                armFirstByte();
            }
        } else if (up != null && !up.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (up != null) {
            up.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (up != null && (responseStarted || splicing)) {
            up.config().setAutoRead(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (ex != null) {
            rc.audit().end(ex, Outcome.ALLOW, "OK", splicing);
            endExchange(false);
        }
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        next.forEach(ReferenceCountUtil::release);
        next.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("relay: terminal connection failed", cause);
        ctx.close();
    }

    // ---- the upstream's side ----

    private void connected(RelayExchange x, Future<? super Channel> f) {
        if (ex != x || closing) {
            if (f.isSuccess()) {
                ((Channel) f.getNow()).close();
            }
            return;
        }
        if (!f.isSuccess()) {
            Reason r = f.cause() instanceof UpstreamFailure u ? u.reason : Reason.UPSTREAM_UNAVAILABLE;
            LOG.warn(
                    "relay route {}: upstream {} {}: {}",
                    x.route.id(),
                    x.route.upstream().url(),
                    r.code(),
                    UpstreamConnector.describe(f.cause()));
            fail(r, "the upstream could not be reached: " + r.en());
            return;
        }
        up = (Channel) f.getNow();
        x.upstream =
                x.route.upstream().url().getHost() + ":" + x.route.upstream().port();
        up.pipeline().get(UpstreamHandler.class).attach(this);
        up.config().setAutoRead(true);
        up.write(upstreamHead);
        upstreamHead = null;
        while (!early.isEmpty()) {
            up.write(early.pollFirst());
        }
        up.flush();
        if (requestDone) {
            armFirstByte();
        } else {
            readTerminal();
        }
    }

    private void armFirstByte() {
        RelayExchange x = ex;
        firstByte = ctx.executor()
                .schedule(
                        () -> {
                            if (ex == x && !responseStarted) {
                                fail(Reason.UPSTREAM_TIMEOUT, "no answer from the upstream in time");
                            }
                        },
                        RelayTimeouts.FIRST_BYTE_MILLIS,
                        TimeUnit.MILLISECONDS);
    }

    @Override
    public void onHead(HttpResponse head) {
        int code = head.status().code();
        if (code >= 100 && code < 200 && code != 101) {
            interim = true; // 100 Continue and friends go to the terminal as they are
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status()));
            return;
        }
        if (firstByte != null) {
            firstByte.cancel(false);
        }
        if (code == 101 && !ex.websocket) {
            fail(Reason.UPSTREAM_UNAVAILABLE, "the upstream switched protocols unasked");
            return;
        }
        responseStarted = true;
        ex.status = code;
        upstreamReusable = HttpUtil.isKeepAlive(head) && code != 101;
        boolean upgrade = code == 101;
        HopHeaders.response(head.headers(), upgrade);
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        head.headers().set(Requests.HEADER, ex.requestId);
        if (!upgrade) {
            boolean bodyless = ex.method.equals(HttpMethod.HEAD.name()) || code == 204 || code == 304;
            if (!bodyless && !HttpUtil.isContentLengthSet(head)) {
                if (http10) {
                    closeAfterResponse = true; // the end of the body is the end of the connection
                } else {
                    HttpUtil.setTransferEncodingChunked(head, true);
                }
            }
            if (closeAfterResponse || !requestDone) {
                closeAfterResponse = true;
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (http10) {
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        ctx.write(head);
    }

    @Override
    public void onContent(HttpContent c) {
        if (interim) {
            interim = !(c instanceof LastHttpContent);
            ReferenceCountUtil.release(c);
            return;
        }
        if (!responseStarted) {
            ReferenceCountUtil.release(c);
            return;
        }
        ex.bytesOut += c.content().readableBytes();
        if (ex.status == 101) {
            ReferenceCountUtil.release(c);
            if (c instanceof LastHttpContent) {
                splice();
            }
            return;
        }
        if (!(c instanceof LastHttpContent)) {
            ctx.write(c);
            if (!ctx.channel().isWritable()) {
                up.config().setAutoRead(false);
            }
            return;
        }
        responseDone = true;
        RelayExchange x = ex;
        ctx.writeAndFlush(c).addListener(f -> responseSent(x, f.isSuccess()));
    }

    private void responseSent(RelayExchange x, boolean ok) {
        if (ex != x) {
            return;
        }
        rc.audit().end(x, Outcome.ALLOW, "OK", ok && requestDone);
        boolean reuse = ok && requestDone && upstreamReusable;
        boolean close = closeAfterResponse || !ok || !requestDone;
        endExchange(reuse);
        if (close) {
            closing = true;
            ctx.close();
            return;
        }
        while (!next.isEmpty() && !closing && !(ex != null && requestDone)) {
            channelRead(ctx, next.pollFirst());
        }
        readTerminal();
    }

    /** WebSocket: the upgrade is answered; from here both sides are bytes, spliced until one closes. */
    private void splice() {
        splicing = true;
        ctx.flush();
        ctx.pipeline().remove(RequestGuard.class);
        ctx.pipeline().remove(HttpServerCodec.class); // what it still held comes to channelRead as bytes
        up.pipeline().remove(HttpClientCodec.class);
        up.config().setAutoRead(ctx.channel().isWritable());
        ctx.channel().config().setAutoRead(up.isWritable());
    }

    @Override
    public void onRaw(ByteBuf bytes) {
        if (!splicing) {
            ReferenceCountUtil.release(bytes);
            return;
        }
        ex.bytesOut += bytes.readableBytes();
        ctx.write(bytes);
        if (!ctx.channel().isWritable()) {
            up.config().setAutoRead(false);
        }
    }

    @Override
    public void onReadComplete() {
        ctx.flush();
    }

    @Override
    public void onWritable() {
        if (splicing) {
            ctx.channel().config().setAutoRead(up.isWritable());
        } else {
            readTerminal();
        }
    }

    @Override
    public void onClosed() {
        if (ex == null) {
            return;
        }
        if (splicing) {
            rc.audit().end(ex, Outcome.ALLOW, "OK", true);
            up = null;
            endExchange(false);
            closing = true;
            ctx.close();
            return;
        }
        if (!responseDone) {
            up = null;
            fail(Reason.UPSTREAM_UNAVAILABLE, "the upstream closed the connection before its answer ended");
        }
    }

    @Override
    public void onError(Throwable cause) {
        if (ex == null) {
            return;
        }
        up = null;
        Reason r = cause instanceof SSLException || cause.getCause() instanceof SSLException
                ? Reason.UPSTREAM_TLS_FAILED
                : Reason.UPSTREAM_UNAVAILABLE;
        LOG.warn("relay route {}: upstream {}: {}", ex.route.id(), ex.upstream, UpstreamConnector.describe(cause));
        fail(r, "the upstream connection failed: " + r.en());
    }

    // ---- endings ----

    /** Refuses the request before anything went upstream: one answer, then the connection closes. */
    private void refuse(Reason reason, String message, String accept) {
        RelayExchange x = ex;
        x.status = reason.status();
        closing = true;
        ctx.channel().config().setAutoRead(false);
        FullHttpResponse r = RelayRefusals.answer(reason, message, x.requestId, accept);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        rc.audit().end(x, Outcome.DENY, reason.code(), true);
        endExchange(false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Ends the request with a refusal after it was admitted (the upstream failed, the body grew too
     * large, the policy cut it): answered with the reason if the response has not begun, else the
     * connection is cut; the upstream connection is never reused.
     */
    private void fail(Reason reason, String message) {
        RelayExchange x = ex;
        if (x == null || x.ended()) {
            return;
        }
        closing = true;
        ctx.channel().config().setAutoRead(false);
        if (!responseStarted) {
            x.status = reason.status();
            FullHttpResponse r = RelayRefusals.answer(reason, message, x.requestId, null);
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
        rc.audit().end(x, Outcome.DENY, reason.code(), false);
        endExchange(false);
    }

    /** Forgets the request; gives its upstream connection back to the pool or closes it. */
    private void endExchange(boolean reuse) {
        if (live != null) {
            rc.cutoff().remove(live);
            live = null;
        }
        if (firstByte != null) {
            firstByte.cancel(false);
            firstByte = null;
        }
        if (up != null) {
            UpstreamHandler h = up.pipeline().get(UpstreamHandler.class);
            if (h != null) {
                h.detach();
            }
            if (reuse) {
                rc.upstreams().release(ex.route.upstream(), up);
            } else {
                up.close();
            }
            up = null;
        }
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        upstreamHead = null;
        ex = null;
        requestDone = false;
        responseStarted = false;
        responseDone = false;
        interim = false;
        splicing = false;
    }

    /** Reads from the terminal when a request is not in progress, or its body can go upstream now. */
    private void readTerminal() {
        if (closing) {
            return;
        }
        boolean read = ex == null || (up != null && !requestDone && up.isWritable());
        ctx.channel().config().setAutoRead(read);
    }
}
