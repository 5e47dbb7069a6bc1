package jp.sekisho.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.ProtocolDetectionState;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.net.InetSocketAddress;
import java.util.List;
import jp.sekisho.gateway.admission.Reason;

/**
 * First handler of every connection, ahead of TLS. At {@code channelActive}, before a byte is read:
 * <ul>
 *   <li>a peer that is one of the listener's trusted load balancers must start with a PROXY v1/v2
 *       header: the handler hands over to {@link HAProxyMessageDecoder} and {@link ProxyHeaderHandler},
 *       which judge the header's source address;</li>
 *   <li>any other peer is judged by its own address against the listener's current allowlist and,
 *       when outside it, closed at once (CONNECTION_REFUSED / IP_NOT_ALLOWED): the TLS handler never
 *       sees the connection, so the client gets no ServerHello;</li>
 *   <li>an admitted untrusted peer's first bytes are sniffed: a PROXY header is refused
 *       (PROXY_NOT_TRUSTED); anything else is passed on to TLS untouched.</li>
 * </ul>
 */
public final class EdgeHandler extends ByteToMessageDecoder {

    private final EdgeContext edge;
    private final Reason refusal;
    private ConnectionInfo info;

    /** @param refusal the reason the pipeline already refused this connection for, or null */
    public EdgeHandler(EdgeContext edge, Reason refusal) {
        this.edge = edge;
        this.refusal = refusal;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        String listener = edge.listenerAt(local.getPort());
        info = new ConnectionInfo(listener, local.getPort(), peer);
        ctx.channel().attr(ConnectionInfo.KEY).set(info);
        if (listener == null) { // cannot happen with a consistent set-up; refuse rather than guess
            ctx.close();
            return;
        }
        if (refusal != null) {
            edge.audit().refused(info, peer, refusal.code(), null);
            ctx.close();
            return;
        }
        if (edge.isTrustedProxy(listener, peer.getAddress())) {
            ctx.pipeline().addAfter(ctx.name(), "sekisho-proxy-decoder", new HAProxyMessageDecoder());
            ctx.pipeline().addAfter("sekisho-proxy-decoder", "sekisho-proxy-check", new ProxyHeaderHandler(edge, info));
            ctx.fireChannelActive();
            ctx.pipeline().remove(this);
            readIfNeeded(ctx);
            return;
        }
        if (!edge.allowlists().allows(listener, peer.getAddress())) {
            edge.audit().refused(info, peer, Reason.IP_NOT_ALLOWED.code(), null);
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
        readIfNeeded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        byte first = in.getByte(in.readerIndex());
        if (first != 'P' && first != '\r') { // neither "PROXY " (v1) nor "\r\n\r\n\0\r\nQUIT\n" (v2)
            ctx.pipeline().remove(this);
            return;
        }
        ProtocolDetectionResult<HAProxyProtocolVersion> r = HAProxyMessageDecoder.detectProtocol(in);
        if (r.state() == ProtocolDetectionState.NEEDS_MORE_DATA) {
            readIfNeeded(ctx);
            return;
        }
        if (r.state() == ProtocolDetectionState.DETECTED) {
            in.skipBytes(in.readableBytes());
            edge.audit().refused(info, info.peer(), Reason.PROXY_NOT_TRUSTED.code(), null);
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this);
    }

    private static void readIfNeeded(ChannelHandlerContext ctx) {
        if (!ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }
}
