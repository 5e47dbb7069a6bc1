package jp.sekisho.gateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import jp.sekisho.gateway.admission.Reason;

/**
 * On a listener's server channel, ahead of Netty's acceptor: judges each accepted connection by its
 * peer address alone ({@link EdgeContext#refusal}) and closes a refused one there, before it is
 * registered with an event loop or gets a pipeline, TLS engine or buffers. A flood from an address
 * outside the allowlist (or over its connection rate) then costs an accept and a close each, so the
 * listen queue drains faster than it fills and an allowed client's connection is not stuck behind it.
 */
public final class AcceptFilter extends ChannelInboundHandlerAdapter {

    /** Set on connections this filter admitted, so the pipeline does not judge them (and take a token) again. */
    public static final AttributeKey<Boolean> JUDGED = AttributeKey.valueOf("sekisho.judged");

    private final EdgeContext edge;

    public AcceptFilter(EdgeContext edge) {
        this.edge = edge;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child
                && child.localAddress() instanceof InetSocketAddress local
                && child.remoteAddress() instanceof InetSocketAddress peer
                && peer.getAddress() != null) {
            String listener = edge.listenerAt(local.getPort());
            Reason refusal = edge.refusal(listener, peer.getAddress());
            if (refusal != null) {
                edge.audit().refused(new ConnectionInfo(listener, local.getPort(), peer), peer, refusal.code(), null);
                child.unsafe().closeForcibly();
                return;
            }
            child.attr(JUDGED).set(Boolean.TRUE);
        }
        ctx.fireChannelRead(msg);
    }
}
