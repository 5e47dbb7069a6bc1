package jp.sekisho.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.ConnectionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay on one terminal connection, last in its pipeline (after the request guard): judges each
 * request ({@link RelayAdmission}), then streams it to an upstream connection and the response back,
 * with Netty's codecs on both sides and no aggregation. The upstream connection and the
 * back-pressure between the two sides are {@link UpstreamLeg}'s, so a body of any size passes in
 * constant memory. Requests on one connection are relayed one at a time; one that arrives early
 * waits, unread beyond what the decoder already holds.
 *
 * <p>Every request ends in exactly one RELAY_REQUEST event ({@link RelayAudit}): forwarded (ALLOW,
 * whatever the upstream answered), refused before the upstream, or cut (DENY with the reason).
 */
final class RelayHandler extends ChannelInboundHandlerAdapter implements UpstreamListener, RelayResponse.Relay {

    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

    private final RelayContext rc;
    /** {@code https} or {@code http}: what the terminal spoke, for Forwarded's proto. */
    private final String proto;

    private ChannelHandlerContext ctx;
    private UpstreamLeg up;
    private RelayWatch watch;
    private RelayResponse response;
    /** The request being relayed, or null between requests. */
    private RelayExchange ex;

    private boolean requestDone;
    private boolean splicing;
    /** A request was refused or cut: everything else on the connection is dropped until it closes. */
    private boolean closing;

    /** What arrived after the current request's end while its response is still on its way. */
    private final ArrayDeque<Object> next = new ArrayDeque<>();

    RelayHandler(RelayContext rc, String proto) {
        this.rc = rc;
        this.proto = proto;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.up = new UpstreamLeg(ctx, rc.upstreams());
        this.watch = new RelayWatch(rc.cutoff(), ctx.executor());
        this.response = new RelayResponse(ctx, up, watch, this);
    }

    // ---- the terminal's side ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (splicing) {
            if (msg instanceof ByteBuf b && up.connected()) {
                ex.bytesIn += b.readableBytes();
                up.forward(b);
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
        RelayExchange x = RelayRequestHead.exchange(info, head);
        ex = x;
        requestDone = false;
        response.reset();
        boolean websocket = RelayRequestHead.websocket(head);
        RelayAsk ask = RelayRequestHead.ask(info, head, x, websocket, rc.clock().instant());
        RelayDecision d = rc.admission().decide(rc.policy().get(), ask);
        if (d instanceof RelayDecision.Refuse r) {
            x.route = r.route();
            refuse(r.reason(), r.message(), head.headers().get(HttpHeaderNames.ACCEPT));
            return;
        }
        RelayRoute route = ((RelayDecision.Forward) d).route();
        x.route = route;
        x.websocket = websocket;
        response.expect(head.protocolVersion().equals(HttpVersion.HTTP_1_0), !HttpUtil.isKeepAlive(head) || websocket);
        up.expect(RelayRequestHead.upstream(head, info, proto, route, websocket));
        watch.cutOff(route, reason -> {
            if (ex == x) {
                fail(reason, "cut: relay route " + route.id() + " is " + reason.code());
            }
        });
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
        up.forward(c);
        if (c instanceof LastHttpContent) {
            requestDone = true;
            ctx.channel().config().setAutoRead(false); // the next request waits for this one's response
            if (up.connected()) {
                up.flush();
                armFirstByte();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        up.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (response.started() || splicing) {
            up.followTerminal();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (ex != null) {
            rc.audit().end(ex, Outcome.ALLOW, "OK", splicing);
            endExchange(false);
        }
        up.releaseEarly();
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
            Reason r = UpstreamFailure.ofConnect(f.cause());
            LOG.warn(
                    "relay route {}: upstream {} {}: {}",
                    x.route.id(),
                    x.route.upstream().url(),
                    r.code(),
                    UpstreamConnector.describe(f.cause()));
            fail(r, "the upstream could not be reached: " + r.en());
            return;
        }
        x.upstream =
                x.route.upstream().url().getHost() + ":" + x.route.upstream().port();
        up.attach((Channel) f.getNow(), this);
        if (requestDone) {
            armFirstByte();
        } else {
            readTerminal();
        }
    }

    private void armFirstByte() {
        RelayExchange x = ex;
        watch.firstByte(() -> {
            if (ex == x && !response.started()) {
                fail(Reason.UPSTREAM_TIMEOUT, "no answer from the upstream in time");
            }
        });
    }

    @Override
    public void onHead(HttpResponse head) {
        response.head(ex, head, requestDone);
    }

    @Override
    public void onContent(HttpContent c) {
        response.content(ex, c);
    }

    @Override
    public void upgraded() {
        splicing = true;
        up.splice();
    }

    @Override
    public void sent(RelayExchange x, boolean ok) {
        if (ex != x) {
            return;
        }
        rc.audit().end(x, Outcome.ALLOW, "OK", ok && requestDone);
        boolean reuse = ok && requestDone && response.reusable();
        boolean close = response.closeAfter() || !ok || !requestDone;
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

    @Override
    public void onRaw(ByteBuf bytes) {
        if (!splicing) {
            ReferenceCountUtil.release(bytes);
            return;
        }
        ex.bytesOut += bytes.readableBytes();
        up.back(bytes);
    }

    @Override
    public void onReadComplete() {
        ctx.flush();
    }

    @Override
    public void onWritable() {
        if (splicing) {
            up.followUpstream();
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
            up.lost();
            endExchange(false);
            closing = true;
            ctx.close();
            return;
        }
        if (!response.done()) {
            up.lost();
            fail(Reason.UPSTREAM_UNAVAILABLE, "the upstream closed the connection before its answer ended");
        }
    }

    @Override
    public void onError(Throwable cause) {
        if (ex == null) {
            return;
        }
        up.lost();
        Reason r = UpstreamFailure.ofBroken(cause);
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
        FullHttpResponse r = RelayRefusals.closing(reason, message, x.requestId, accept);
        rc.audit().end(x, Outcome.DENY, reason.code(), true);
        endExchange(false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Ends the request with a refusal after it was admitted (the upstream failed, the body grew too
     * large, the policy cut it): answered with the reason if the response has not begun, else the
     * connection is cut; the upstream connection is never reused.
     */
    @Override
    public void fail(Reason reason, String message) {
        RelayExchange x = ex;
        if (x == null || x.ended()) {
            return;
        }
        closing = true;
        ctx.channel().config().setAutoRead(false);
        if (!response.started()) {
            x.status = reason.status();
            ctx.writeAndFlush(RelayRefusals.closing(reason, message, x.requestId, null))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
        rc.audit().end(x, Outcome.DENY, reason.code(), false);
        endExchange(false);
    }

    /** Forgets the request; gives its upstream connection back to the pool or closes it. */
    private void endExchange(boolean reuse) {
        watch.end();
        up.end(reuse ? ex.route.upstream() : null);
        ex = null;
        requestDone = false;
        response.reset();
        splicing = false;
    }

    /** Reads from the terminal when a request is not in progress, or its body can go upstream now. */
    private void readTerminal() {
        if (closing) {
            return;
        }
        boolean read = ex == null || (!requestDone && up.canTake());
        ctx.channel().config().setAutoRead(read);
    }
}
