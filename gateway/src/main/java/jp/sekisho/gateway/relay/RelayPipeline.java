package jp.sekisho.gateway.relay;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.Optional;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.AcceptFilter;
import jp.sekisho.gateway.edge.EdgeHandler;
import jp.sekisho.gateway.edge.EdgePipeline;
import jp.sekisho.gateway.input.RequestGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of one relay connection, in the order of checks of every listener:
 * <pre>  edge (allowlist: the route's terminals' CIDRs) → TLS per the route's terminal-mode → session
 *  → HTTP/1.1 codec → request guard → relay</pre>
 * The terminal mode is the one of the relay route bound to the listener when the connection is
 * accepted; with no route the connection is closed before TLS (RELAY_NO_ROUTE), and so is a plain
 * HTTP route on a listener not marked {@code closed-network}.
 */
final class RelayPipeline extends ChannelInitializer<Channel> {

    private static final Logger LOG = LoggerFactory.getLogger(RelayPipeline.class);

    private final RelayServer.Setup setup;
    private final RelayContext rc;
    private final boolean closedNetwork;

    RelayPipeline(RelayServer.Setup setup, RelayContext rc, boolean closedNetwork) {
        this.setup = setup;
        this.rc = rc;
        this.closedNetwork = closedNetwork;
    }

    @Override
    protected void initChannel(Channel ch) {
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        String listener = setup.edge().listenerAt(local.getPort());
        Reason refusal = null;
        if (!Boolean.TRUE.equals(ch.attr(AcceptFilter.JUDGED).get()) && listener != null && peer.getAddress() != null) {
            refusal = setup.edge().refusal(listener, peer.getAddress()); // not judged at accept (cannot happen)
        }
        Optional<RelayRoute> route =
                listener == null ? Optional.empty() : rc.policy().get().relayOn(listener);
        if (refusal == null && route.isEmpty()) {
            refusal = Reason.RELAY_NO_ROUTE;
        }
        if (refusal == null && route.get().mode() == TerminalMode.HTTP && !closedNetwork) {
            LOG.warn(
                    "relay route {} asks for plain HTTP on listener {}, which is not closed-network: refused",
                    route.get().id(),
                    listener);
            refusal = Reason.RELAY_NO_ROUTE;
        }
        if (refusal != null) {
            ch.pipeline().addLast("sekisho-edge", new EdgeHandler(setup.edge(), refusal)); // records and closes
            return;
        }
        ch.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, EdgePipeline.MAX_READ));
        ch.pipeline().addLast("sekisho-edge", new EdgeHandler(setup.edge(), null));
        TerminalMode mode = route.get().mode();
        String proto = "https";
        switch (mode) {
            case MTLS -> {
                ch.pipeline().addLast("sekisho-tls", handshake(setup.mtls().newHandler(ch.alloc())));
                ch.pipeline().addLast("sekisho-tls-session", setup.mtlsSession().get());
            }
            case TLS -> {
                ch.pipeline()
                        .addLast("sekisho-tls", handshake(setup.serverOnly().newHandler(ch.alloc())));
                ch.pipeline()
                        .addLast("sekisho-tls-session", new RelaySession(setup.connections(), setup.metrics(), true));
            }
            case HTTP -> {
                proto = "http";
                ch.pipeline()
                        .addLast("sekisho-tls-session", new RelaySession(setup.connections(), setup.metrics(), false));
            }
        }
        ch.pipeline().addLast("sekisho-http", new HttpServerCodec());
        ch.pipeline().addLast("sekisho-request-guard", new RequestGuard(setup.guardAdmission(), setup.blocking()));
        ch.pipeline().addLast("sekisho-relay", new RelayHandler(rc, proto));
    }

    private static SslHandler handshake(SslHandler h) {
        h.setHandshakeTimeoutMillis(EdgePipeline.HANDSHAKE_TIMEOUT_MILLIS);
        return h;
    }
}
