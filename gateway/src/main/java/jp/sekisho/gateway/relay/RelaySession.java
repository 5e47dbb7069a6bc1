package jp.sekisho.gateway.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.tls.TlsContexts;

/**
 * For a relay connection without a client certificate (terminal-mode {@code tls} or {@code http}):
 * records CONNECTION_ACCEPTED when the server-only handshake completes (or, with plain HTTP, when the
 * connection is accepted) and TLS_FAILED when the handshake fails, as the mTLS session handler does
 * for certificates. A connection whose acceptance the audit log could not take is marked, and the
 * request guard answers its first request 503 AUDIT_UNAVAILABLE.
 */
final class RelaySession extends ChannelInboundHandlerAdapter {

    private final ConnectionAudit audit;
    private final Metrics metrics;
    private final boolean tls;
    private boolean failed;

    RelaySession(ConnectionAudit audit, Metrics metrics, boolean tls) {
        this.audit = audit;
        this.metrics = metrics;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!tls) {
            accepted(ConnectionInfo.of(ctx.channel()));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            ConnectionInfo info = ConnectionInfo.of(ctx.channel());
            if (done.isSuccess()) {
                accepted(info);
            } else if (!failed) {
                failed = true;
                if (done.cause() instanceof ClosedChannelException) {
                    metrics.connection(
                            info == null ? "-" : info.listener(), "DENY", Reason.CLOSED_BEFORE_HANDSHAKE.code());
                } else if (info != null) {
                    audit.tlsFailed(info, TlsContexts.classify(done.cause()), null);
                }
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void accepted(ConnectionInfo info) {
        if (info != null && !audit.accepted(info)) {
            info.markUnrecorded();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException
                || (cause instanceof DecoderException && cause.getCause() instanceof SSLException)) {
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
