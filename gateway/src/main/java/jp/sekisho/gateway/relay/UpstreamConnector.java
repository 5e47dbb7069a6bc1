package jp.sekisho.gateway.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import jp.sekisho.gateway.admission.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream connections of the relay: a small keep-alive pool per event loop and upstream (a
 * request's upstream connection runs on the terminal connection's event loop, so a relayed byte
 * never changes threads), bounded ({@link RelayTimeouts#POOL_PER_ROUTE}) and closed after
 * {@link RelayTimeouts#IDLE_SECONDS} idle; else a new connection (TCP, then TLS to the pinned CA).
 * Only a connection whose exchange ended cleanly is given back.
 */
final class UpstreamConnector {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnector.class);

    static final String HANDLER = "sekisho-upstream";

    private final UpstreamTls tls;
    private final Class<? extends Channel> channelClass;
    /** Idle connections by event loop, then upstream; each inner map is touched only on its loop. */
    private final ConcurrentHashMap<EventLoop, Map<Upstream, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();

    UpstreamConnector(UpstreamTls tls, Class<? extends Channel> channelClass) {
        this.tls = tls;
        this.channelClass = channelClass;
    }

    /** On {@code loop}: a connection to {@code upstream}, pooled or new; fails with {@link UpstreamFailure}. */
    Future<Channel> acquire(Upstream upstream, EventLoop loop) {
        Promise<Channel> promise = loop.newPromise();
        ArrayDeque<Channel> q = idle.computeIfAbsent(loop, l -> new HashMap<>()).get(upstream);
        while (q != null && !q.isEmpty()) {
            Channel c = q.pollFirst();
            if (c.isActive()) {
                return promise.setSuccess(c);
            }
        }
        connect(upstream, loop, promise);
        return promise;
    }

    /** On the connection's loop: keeps a cleanly finished connection for the next request, or closes it. */
    void release(Upstream upstream, Channel c) {
        c.pipeline().get(UpstreamHandler.class).detach();
        ArrayDeque<Channel> q = idle.computeIfAbsent(c.eventLoop(), l -> new HashMap<>())
                .computeIfAbsent(upstream, u -> new ArrayDeque<>());
        if (!c.isActive() || q.size() >= RelayTimeouts.POOL_PER_ROUTE) {
            c.close();
            return;
        }
        c.config().setAutoRead(true); // an idle connection must notice the upstream closing it
        q.addLast(c);
    }

    private void forget(EventLoop loop, Upstream upstream, Channel ch) {
        Map<Upstream, ArrayDeque<Channel>> byUpstream = idle.get(loop);
        ArrayDeque<Channel> q = byUpstream == null ? null : byUpstream.get(upstream);
        if (q != null) {
            q.remove(ch);
        }
    }

    /** Closes every idle connection (shutdown). */
    void closeIdle() {
        idle.forEach((loop, byUpstream) -> loop.execute(() -> {
            List<Channel> all =
                    byUpstream.values().stream().flatMap(ArrayDeque::stream).toList();
            byUpstream.clear();
            all.forEach(Channel::close); // closing calls forget(), which must not find them mid-iteration
        }));
    }

    private void connect(Upstream upstream, EventLoop loop, Promise<Channel> promise) {
        SslHandler[] ssl = new SslHandler[1];
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, RelayTimeouts.CONNECT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) throws Exception {
                        if (upstream.tls()) {
                            ssl[0] = tls.handler(upstream, ch.alloc());
                            ch.pipeline().addLast("sekisho-upstream-tls", ssl[0]);
                        }
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, RelayTimeouts.IDLE_SECONDS));
                        ch.pipeline().addLast(new HttpClientCodec());
                        ch.pipeline().addLast(HANDLER, new UpstreamHandler());
                    }
                });
        ChannelFuture cf = b.connect(upstream.url().getHost(), upstream.port());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                Reason r = f.cause() instanceof ConnectTimeoutException
                        ? Reason.UPSTREAM_TIMEOUT
                        : f.cause() instanceof SSLException ? Reason.UPSTREAM_TLS_FAILED : Reason.UPSTREAM_UNAVAILABLE;
                promise.tryFailure(new UpstreamFailure(r, describe(f.cause()), f.cause()));
                return;
            }
            Channel ch = cf.channel();
            ch.closeFuture().addListener(c -> forget(loop, upstream, ch)); // once per connection, on its loop
            if (ssl[0] == null) {
                promise.trySuccess(ch);
                return;
            }
            ssl[0].handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    promise.trySuccess(ch);
                    return;
                }
                ch.close();
                Reason r = h.cause() instanceof SslHandshakeTimeoutException
                        ? Reason.UPSTREAM_TIMEOUT
                        : Reason.UPSTREAM_TLS_FAILED;
                LOG.warn("relay: TLS with upstream {} failed: {}", upstream.url(), describe(h.cause()));
                promise.tryFailure(new UpstreamFailure(r, describe(h.cause()), h.cause()));
            });
        });
    }

    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 400; c = c.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(c.getClass().getSimpleName()).append(' ').append(c.getMessage());
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}
