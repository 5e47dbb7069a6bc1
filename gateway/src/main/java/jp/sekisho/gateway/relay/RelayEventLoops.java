package jp.sekisho.gateway.relay;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.netty.channel.EventLoopGroupConfiguration;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.micronaut.http.netty.channel.NettyChannelType;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micronaut's default event loop group and its channel classes (epoll where Micronaut uses it), so
 * relay connections share the API listeners' threads rather than adding their own; null parts when
 * Micronaut's are not to be had, and the relay then runs a small group of its own.
 */
public record RelayEventLoops(
        EventLoopGroup group, Class<? extends ServerChannel> serverChannel, Class<? extends Channel> clientChannel) {

    private static final Logger LOG = LoggerFactory.getLogger(RelayEventLoops.class);

    public static final RelayEventLoops OWN = new RelayEventLoops(null, null, null);

    public static RelayEventLoops of(ApplicationContext ctx) {
        try {
            EventLoopGroupRegistry registry = ctx.getBean(EventLoopGroupRegistry.class);
            EventLoopGroupConfiguration conf = registry.getEventLoopGroupConfiguration(
                            EventLoopGroupConfiguration.DEFAULT)
                    .orElseThrow();
            EventLoopGroupFactory factory = ctx.getBean(EventLoopGroupFactory.class);
            Class<? extends Channel> server = factory.channelClass(NettyChannelType.SERVER_SOCKET, conf);
            Class<? extends Channel> client = factory.channelClass(NettyChannelType.CLIENT_SOCKET, conf);
            if (!ServerChannel.class.isAssignableFrom(server)) {
                return OWN;
            }
            return new RelayEventLoops(
                    registry.getDefaultEventLoopGroup(), server.asSubclass(ServerChannel.class), client);
        } catch (RuntimeException e) {
            LOG.info("relay: Micronaut's event loops are not available ({}); using the relay's own", e.toString());
            return OWN;
        }
    }
}
