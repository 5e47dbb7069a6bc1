package jp.sekisho.gateway.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.identity.RoleMapper;

/**
 * Right behind the gateway's {@link SslHandler}: when a handshake completes, turns the verified
 * client certificate into the connection's {@link jp.sekisho.gateway.identity.Principal} and records
 * CONNECTION_ACCEPTED; when it fails, records TLS_FAILED with the reason
 * ({@link TlsContexts#classify}) and what the presented certificate claims.
 *
 * <p>The certificate is checked once more after every successful handshake, so a resumed session
 * cannot bypass a revocation that happened after the first handshake. A peer that closes before
 * finishing a handshake (port probes, load-balancer health checks) is counted in the metrics as
 * CLOSED_BEFORE_HANDSHAKE but not written to the audit log.
 */
public final class TlsSessionHandler extends ChannelInboundHandlerAdapter {

    private final ClientCertificateChecker checker;
    private final RoleMapper roles;
    private final ConnectionAudit audit;
    private final Metrics metrics;
    private boolean failed;

    public TlsSessionHandler(
            ClientCertificateChecker checker, RoleMapper roles, ConnectionAudit audit, Metrics metrics) {
        this.checker = checker;
        this.roles = roles;
        this.audit = audit;
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            ConnectionInfo info = ConnectionInfo.of(ctx.channel());
            if (done.isSuccess()) {
                onSuccess(ctx, info);
            } else {
                onFailure(ctx, info, done.cause());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onSuccess(ChannelHandlerContext ctx, ConnectionInfo info) {
        X509Certificate[] chain;
        try {
            Certificate[] peer =
                    ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
            chain = new X509Certificate[peer.length];
            for (int i = 0; i < peer.length; i++) {
                chain[i] = (X509Certificate) peer[i];
            }
            checker.check(chain);
        } catch (CertificateRejectedException e) {
            onFailure(ctx, info, e);
            return;
        } catch (SSLPeerUnverifiedException | ClassCastException e) {
            onFailure(
                    ctx,
                    info,
                    new CertificateRejectedException(Reason.NO_CERTIFICATE.code(), null, "no peer certificate"));
            return;
        }
        info.principal(roles.principalOf(chain[0]));
        if (!audit.accepted(info)) {
            // no unrecorded access: the request guard answers the first request 503 AUDIT_UNAVAILABLE and closes
            info.markUnrecorded();
        }
    }

    private void onFailure(ChannelHandlerContext ctx, ConnectionInfo info, Throwable cause) {
        if (failed) {
            ctx.close();
            return;
        }
        failed = true;
        if (cause instanceof ClosedChannelException) {
            metrics.connection(info == null ? "-" : info.listener(), "DENY", Reason.CLOSED_BEFORE_HANDSHAKE.code());
        } else if (info != null) {
            CertificateRejectedException r = TlsContexts.rejection(cause);
            audit.tlsFailed(info, TlsContexts.classify(cause), r == null ? null : r.presented());
        }
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS errors were reported by the handshake event; keep them out of the HTTP layer's logs
        if (cause instanceof SSLException
                || (cause instanceof DecoderException && cause.getCause() instanceof SSLException)) {
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
