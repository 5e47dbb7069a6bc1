package jp.sekisho.gateway.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jp.sekisho.gateway.admission.Reason;

/**
 * The upstream's answer on its way to the terminal, for the request in flight: an interim (1xx)
 * answer passes and its end is swallowed, the head is framed for the terminal's connection
 * ({@link RelayResponseHead}), the body streams with back-pressure ({@link UpstreamLeg#back}), the
 * end of a WebSocket upgrade's answer hands the connection over to splicing, and the write of the
 * last part is reported. Whether the request ended well is for the {@link Relay} to say.
 */
final class RelayResponse {

    /** What the response tells the relay on the terminal connection, on its event loop. */
    interface Relay {
        /** The upstream answered what cannot be relayed. */
        void fail(Reason reason, String message);

        /** The upgrade's answer went out: from here both sides are bytes. */
        void upgraded();

        /** The last part of the response was written ({@code ok}) or not. */
        void sent(RelayExchange x, boolean ok);
    }

    private final ChannelHandlerContext ctx;
    private final UpstreamLeg up;
    private final RelayWatch watch;
    private final Relay relay;

    private boolean http10;
    private boolean closeAfter;
    private boolean started;
    private boolean done;
    /** Swallowing the end of an interim (1xx) response. */
    private boolean interim;

    private boolean reusable;

    RelayResponse(ChannelHandlerContext ctx, UpstreamLeg up, RelayWatch watch, Relay relay) {
        this.ctx = ctx;
        this.up = up;
        this.watch = watch;
        this.relay = relay;
    }

    /**
     * A request was admitted.
     *
     * @param closeAfter the terminal asked to close after this request (or upgrades the connection)
     */
    void expect(boolean http10, boolean closeAfter) {
        this.http10 = http10;
        this.closeAfter = closeAfter;
    }

    /** Whether the final (not interim) head has gone to the terminal. */
    boolean started() {
        return started;
    }

    /** Whether the last part has gone to the terminal. */
    boolean done() {
        return done;
    }

    /** Whether the terminal connection closes once this response is written. */
    boolean closeAfter() {
        return closeAfter;
    }

    /** Whether the upstream connection may carry another request. */
    boolean reusable() {
        return reusable;
    }

    /** The request ended: the next one starts with no response. */
    void reset() {
        started = false;
        done = false;
        interim = false;
    }

    void head(RelayExchange ex, HttpResponse head, boolean requestDone) {
        int code = head.status().code();
        if (code >= 100 && code < 200 && code != 101) {
            interim = true; // 100 Continue and friends go to the terminal as they are
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status()));
            return;
        }
        watch.answered();
        if (code == 101 && !ex.websocket) {
            relay.fail(Reason.UPSTREAM_UNAVAILABLE, "the upstream switched protocols unasked");
            return;
        }
        started = true;
        ex.status = code;
        reusable = HttpUtil.isKeepAlive(head) && code != 101;
        closeAfter = RelayResponseHead.frame(head, ex, http10, closeAfter, requestDone);
        ctx.write(head);
    }

    void content(RelayExchange ex, HttpContent c) {
        if (interim) {
            interim = !(c instanceof LastHttpContent);
            ReferenceCountUtil.release(c);
            return;
        }
        if (!started) {
            ReferenceCountUtil.release(c);
            return;
        }
        ex.bytesOut += c.content().readableBytes();
        if (ex.status == 101) {
            ReferenceCountUtil.release(c);
            if (c instanceof LastHttpContent) {
                relay.upgraded();
            }
            return;
        }
        if (!(c instanceof LastHttpContent)) {
            up.back(c);
            return;
        }
        done = true;
        ctx.writeAndFlush(c).addListener(f -> relay.sent(ex, f.isSuccess()));
    }
}
