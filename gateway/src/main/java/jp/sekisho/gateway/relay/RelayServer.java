package jp.sekisho.gateway.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.edge.AcceptFilter;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.EdgeContext;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.policy.PolicySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay listeners ({@code kind: relay}): each bound with its own Netty server bootstrap, outside
 * Micronaut (they serve no Sekisho API), on the given event loop group. {@link #close} stops
 * accepting, cuts what is in flight and closes idle upstream connections.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    /**
     * What the relay needs from the gateway.
     *
     * @param mtls           the gateway's server context with client certificates required (as on API listeners)
     * @param mtlsSession    the gateway's session handler for it (principal, CONNECTION_ACCEPTED, TLS_FAILED)
     * @param serverOnly     a server context with the gateway's certificate and no client certificate
     * @param policy         the current policy snapshot
     * @param subscribe      registers a consumer of every new snapshot (the cut-off)
     * @param auditAvailable false while the audit store cannot take events
     * @param guardAdmission what the request guard records its refusals with
     * @param blocking       where audit events are written (never the event loop)
     * @param group          the event loop group, or null for a small one of the relay's own
     * @param serverChannel  with {@code group}: its server socket channel class
     * @param clientChannel  with {@code group}: its socket channel class (upstream connections)
     */
    public record Setup(
            EdgeContext edge,
            SslContext mtls,
            Supplier<ChannelHandler> mtlsSession,
            SslContext serverOnly,
            ConnectionAudit connections,
            Metrics metrics,
            Supplier<PolicySnapshot> policy,
            Consumer<Consumer<PolicySnapshot>> subscribe,
            UpstreamTls upstreamTls,
            AuditLog audit,
            BooleanSupplier auditAvailable,
            Supplier<Admission> guardAdmission,
            Executor blocking,
            Clock clock,
            EventLoopGroup group,
            Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> clientChannel) {}

    private final List<Channel> servers;
    private final EventLoopGroup ownGroup;
    private final UpstreamConnector upstreams;
    private final RelayCutoff cutoff;

    private RelayServer(
            List<Channel> servers, EventLoopGroup ownGroup, UpstreamConnector upstreams, RelayCutoff cutoff) {
        this.servers = servers;
        this.ownGroup = ownGroup;
        this.upstreams = upstreams;
        this.cutoff = cutoff;
    }

    /**
     * Binds every relay listener on its port from {@code ports}.
     *
     * @throws IllegalStateException when a listener cannot bind (the ones bound are closed)
     */
    public static RelayServer start(List<GatewayConfig.Listener> listeners, Map<String, Integer> ports, Setup s) {
        EventLoopGroup own = null;
        EventLoopGroup group = s.group();
        Class<? extends ServerChannel> serverChannel = s.serverChannel();
        Class<? extends Channel> clientChannel = s.clientChannel();
        if (group == null) {
            own = new MultiThreadIoEventLoopGroup(
                    Math.max(2, Runtime.getRuntime().availableProcessors()),
                    new DefaultThreadFactory("sekisho-relay", true),
                    NioIoHandler.newFactory());
            group = own;
            serverChannel = NioServerSocketChannel.class;
            clientChannel = NioSocketChannel.class;
        }
        RelayCutoff cutoff = new RelayCutoff(s.clock());
        UpstreamConnector upstreams = new UpstreamConnector(s.upstreamTls(), clientChannel);
        RelayContext rc = new RelayContext(
                s.policy(),
                new RelayAdmission(s.auditAvailable()),
                upstreams,
                new RelayAudit(s.audit(), s.metrics(), s.blocking()),
                cutoff,
                s.clock());
        List<Channel> bound = new ArrayList<>();
        RelayServer server = new RelayServer(bound, own, upstreams, cutoff);
        try {
            for (GatewayConfig.Listener l : listeners) {
                int port = ports.get(l.name());
                Channel ch = new ServerBootstrap()
                        .group(group)
                        .channel(serverChannel)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .handler(new AcceptFilter(s.edge()))
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new RelayPipeline(s, rc, l.closedNetwork()))
                        .bind(new InetSocketAddress(InetAddress.getByAddress(Cidr.parseAddress(l.bind())), port))
                        .sync()
                        .channel();
                bound.add(ch);
                LOG.info("relay listener {} on {}:{}", l.name(), l.bind(), port);
            }
        } catch (Exception e) {
            server.close();
            throw new IllegalStateException("cannot bind a relay listener: " + e.getMessage(), e);
        }
        s.subscribe().accept(cutoff);
        return server;
    }

    /** Requests and WebSockets in flight now. */
    public int inFlight() {
        return cutoff.inFlight();
    }

    @Override
    public void close() {
        for (Channel c : servers) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        upstreams.closeIdle();
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
