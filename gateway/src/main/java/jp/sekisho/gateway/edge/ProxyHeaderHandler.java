package jp.sekisho.gateway.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import jp.sekisho.gateway.admission.Reason;

/**
 * After {@link io.netty.handler.codec.haproxy.HAProxyMessageDecoder} on a connection from a trusted
 * load balancer: judges the PROXY header's source address by the listener's allowlist and records
 * it as the connection's client address. A missing, malformed or LOCAL header closes the connection
 * (PROXY_HEADER_INVALID): a trusted balancer must always say whom it relays.
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {

    private final EdgeContext edge;
    private final ConnectionInfo info;
    private boolean done;
    /** Set once this handler refused and closed the connection. */
    private boolean refused;

    ProxyHeaderHandler(EdgeContext edge, ConnectionInfo info) {
        this.edge = edge;
        this.info = info;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof HAProxyMessage proxy)) {
            ReferenceCountUtil.release(msg);
            refuse(ctx, info.peer(), Reason.PROXY_HEADER_INVALID.code());
            return;
        }
        try {
            InetSocketAddress source = sourceOf(proxy);
            if (source == null) {
                refuse(ctx, info.peer(), Reason.PROXY_HEADER_INVALID.code());
                return;
            }
            if (!edge.allowlists().allows(info.listener(), source.getAddress())) {
                refuse(ctx, source, Reason.IP_NOT_ALLOWED.code());
                return;
            }
            info.client(source);
            done = true;
            ctx.pipeline().remove(this);
        } finally {
            proxy.release();
        }
    }

    private static InetSocketAddress sourceOf(HAProxyMessage m) {
        if (m.command() != HAProxyCommand.PROXY || m.sourceAddress() == null) {
            return null;
        }
        byte[] bytes = jp.sekisho.gateway.edge.Cidr.parseAddress(m.sourceAddress());
        if (bytes == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), m.sourcePort());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refused) {
            // closing makes the decoder parse what is left and complain again: the refusal is already
            // recorded and the connection closed, so the complaint must not travel on unhandled
            return;
        }
        if (!done) {
            refuse(ctx, info.peer(), Reason.PROXY_HEADER_INVALID.code());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private void refuse(ChannelHandlerContext ctx, InetSocketAddress source, String reason) {
        refused = true;
        if (!done) {
            done = true;
            String via = "{\"via\":\"" + ConnectionAudit.ip(info.peer()) + ":"
                    + info.peer().getPort() + "\"}";
            edge.audit().refused(info, source, reason, via);
        }
        ctx.close();
    }
}
