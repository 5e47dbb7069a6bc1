package jp.sekisho.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import jp.sekisho.gateway.input.RequestGuard;

/**
 * The upstream connection of the request in flight on one terminal connection, and the
 * back-pressure between the two: each side reads only while the other can take what it reads
 * (autoRead toggled on writability, as Netty's proxy example does). Until the connection is ready,
 * the admitted head and the body parts read so far wait here. Used on the terminal's event loop only.
 */
final class UpstreamLeg {

    private final ChannelHandlerContext terminal;
    private final UpstreamConnector pool;

    /** The upstream connection, or null before it is ready and after it is given back or lost. */
    private Channel up;
    /** The admitted request head, until the connection is ready. */
    private HttpRequest head;
    /** Body parts read before the upstream connection was ready. */
    private final ArrayDeque<HttpContent> early = new ArrayDeque<>();

    UpstreamLeg(ChannelHandlerContext terminal, UpstreamConnector pool) {
        this.terminal = terminal;
        this.pool = pool;
    }

    /** The head to send first once the connection is ready. */
    void expect(HttpRequest admitted) {
        this.head = admitted;
    }

    boolean connected() {
        return up != null;
    }

    /** Whether the upstream connection is there and can take more now. */
    boolean canTake() {
        return up != null && up.isWritable();
    }

    /** The connection is ready: it reports to {@code listener}; the head and the early parts go out. */
    void attach(Channel ch, UpstreamListener listener) {
        up = ch;
        up.pipeline().get(UpstreamHandler.class).attach(listener);
        up.config().setAutoRead(true);
        up.write(head);
        head = null;
        while (!early.isEmpty()) {
            up.write(early.pollFirst());
        }
        up.flush();
    }

    /** A request body part: kept until the connection is ready, else written; the terminal waits while upstream is full. */
    void forward(HttpContent c) {
        if (up == null) {
            early.addLast(c);
            return;
        }
        up.write(c);
        pauseTerminalIfFull();
    }

    /** Spliced bytes from the terminal (connected only). */
    void forward(ByteBuf b) {
        up.write(b);
        pauseTerminalIfFull();
    }

    private void pauseTerminalIfFull() {
        if (!up.isWritable()) {
            terminal.channel().config().setAutoRead(false);
        }
    }

    /** A response part to the terminal; the upstream waits while the terminal is full. */
    void back(Object part) {
        terminal.write(part);
        if (!terminal.channel().isWritable()) {
            up.config().setAutoRead(false);
        }
    }

    void flush() {
        if (up != null) {
            up.flush();
        }
    }

    /** The terminal's writability changed: the upstream reads as far as the terminal can take it. */
    void followTerminal() {
        if (up != null) {
            up.config().setAutoRead(terminal.channel().isWritable());
        }
    }

    /** While spliced, the upstream's writability changed: the terminal reads as far as the upstream can take it. */
    void followUpstream() {
        terminal.channel().config().setAutoRead(up.isWritable());
    }

    /** WebSocket: both sides drop their HTTP handlers and become bytes. */
    void splice() {
        terminal.flush();
        terminal.pipeline().remove(RequestGuard.class);
        terminal.pipeline().remove(HttpServerCodec.class); // what it still held comes to channelRead as bytes
        up.pipeline().remove(HttpClientCodec.class);
        up.config().setAutoRead(terminal.channel().isWritable());
        terminal.channel().config().setAutoRead(up.isWritable());
    }

    /** The upstream connection closed or failed: nothing is given back. */
    void lost() {
        up = null;
    }

    /** Releases what the request held: the connection back to the pool for {@code reuseFor}, or closed when null. */
    void end(Upstream reuseFor) {
        if (up != null) {
            UpstreamHandler h = up.pipeline().get(UpstreamHandler.class);
            if (h != null) {
                h.detach();
            }
            if (reuseFor != null) {
                pool.release(reuseFor, up);
            } else {
                up.close();
            }
            up = null;
        }
        releaseEarly();
        head = null;
    }

    void releaseEarly() {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }
}
