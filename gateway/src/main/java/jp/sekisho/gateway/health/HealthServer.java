package jp.sekisho.gateway.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.sekisho.gateway.config.HealthSettings;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.edge.ConnectionAudit;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Metrics;

/**
 * The load balancer's health endpoint: plain HTTP on its own port, no client certificate, for the
 * configured networks only (any other connection is closed at accept, before a byte of HTTP is
 * read). {@code GET /health} answers 200 {@code {"status":"UP"}} while the node serves and 503
 * {@code {"status":"REFUSING","reasons":[...]}} while it is alive but refusing; when the node is down
 * nothing listens. It carries no personal data, and is not audited (a balancer asks every few
 * seconds); refused connections are counted under listener "health". Its own single thread: the
 * check reads the CRL files, which must not happen on a Micronaut event loop.
 */
public final class HealthServer implements AutoCloseable {

    public static final String LISTENER = "health";

    private final EventLoopGroup group;
    private final Channel channel;

    private HealthServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds the endpoint; throws IllegalStateException when the address cannot be bound. */
    public static HealthServer start(
            HealthSettings settings, HealthState state, String node, Metrics metrics, ConnectionAudit refusals) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("sekisho-health", true), NioIoHandler.newFactory());
        List<Cidr> allow = settings.allow();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress from = ch.remoteAddress();
                        if (from == null || allow.stream().noneMatch(c -> c.contains(from.getAddress()))) {
                            if (from == null) {
                                metrics.connection(LISTENER, "DENY", "IP_NOT_ALLOWED");
                            } else { // audited like the other listeners' refusals (one per source and window)
                                refusals.refused(
                                        new ConnectionInfo(
                                                LISTENER, ch.localAddress().getPort(), from),
                                        from,
                                        "IP_NOT_ALLOWED",
                                        null);
                            }
                            ch.close();
                            return;
                        }
                        metrics.connection(LISTENER, "ALLOW", "OK");
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(1024, 4096, 1024))
                                .addLast(new HttpObjectAggregator(1024))
                                .addLast(new Answer(state, node));
                    }
                });
        try {
            Channel ch = b.bind(settings.bind(), settings.port()).sync().channel();
            return new HealthServer(group, ch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("interrupted while binding the health endpoint", e);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "health.listen: cannot bind " + settings.bind() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound port (when configured as 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final HealthState state;
        private final String node;

        Answer(HealthState state, String node) {
            this.state = state;
            this.node = node;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            int q = path.indexOf('?');
            path = q < 0 ? path : path.substring(0, q);
            FullHttpResponse r;
            if (!req.decoderResult().isSuccess()) {
                r = answer(HttpResponseStatus.BAD_REQUEST, "{\"status\":\"BAD_REQUEST\"}", false);
            } else if (!path.equals("/health")) {
                r = answer(HttpResponseStatus.NOT_FOUND, "{\"status\":\"NOT_FOUND\"}", false);
            } else if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                r = answer(HttpResponseStatus.METHOD_NOT_ALLOWED, "{\"status\":\"METHOD_NOT_ALLOWED\"}", false);
                r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                List<String> reasons = state.refusing();
                boolean head = req.method().equals(HttpMethod.HEAD);
                r = reasons.isEmpty()
                        ? answer(HttpResponseStatus.OK, "{\"status\":\"UP\",\"node\":" + quote(node) + "}", head)
                        : answer(
                                HttpResponseStatus.SERVICE_UNAVAILABLE,
                                "{\"status\":\"REFUSING\",\"node\":" + quote(node) + ",\"reasons\":["
                                        + String.join(
                                                ",",
                                                reasons.stream()
                                                        .map(HealthServer::quote)
                                                        .toList())
                                        + "]}",
                                head);
            }
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a read timeout or a reset: nothing to answer
        }

        private static FullHttpResponse answer(HttpResponseStatus status, String json, boolean head) {
            byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            r.headers().set(HttpHeaderNames.CONNECTION, "close");
            return r;
        }
    }

    /** Node ids and reason codes are from the configuration and fixed sets; escaped all the same. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
