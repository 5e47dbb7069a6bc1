package jp.sekisho.gateway.transfer;

import io.micronaut.context.BeanProvider;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.scheduling.TaskExecutors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.input.RequestGuard;

/**
 * Inserts {@link RequestGuard} right after the HTTP/1.1 decoder of every connection (framing, path and
 * ids, before anything else reads the request), then {@link TusPatchHandler}, in front of Micronaut's
 * handlers (which, with {@code server-type FULL_CONTENT}, would aggregate a whole PATCH
 * body in memory), and {@link PayloadHandler} after it, which sends payloads in large pieces paced
 * by the connection.
 */
@Singleton
public final class TusPipeline implements NettyServerCustomizer {

    public static final String NAME = "sekisho-tus-patch";
    public static final String PAYLOAD = "sekisho-payload";
    public static final String GUARD = "sekisho-request-guard";

    private final Supplier<TransferService> transfers;
    private final Supplier<Admission> admission;
    private final Executor blocking;

    /** The transfer service and admission exist once the audit store is open: they are looked up per connection. */
    @Inject
    public TusPipeline(
            BeanProvider<TransferService> transfers,
            BeanProvider<Admission> admission,
            @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.transfers = transfers::get;
        this.admission = admission::get;
        this.blocking = blocking;
    }

    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        if (role == ChannelRole.LISTENER) {
            return this;
        }
        return new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(Channel child, ChannelRole childRole) {
                return TusPipeline.this.specializeForChannel(child, childRole);
            }

            @Override
            public void onStreamPipelineBuilt() {
                install(channel.pipeline());
            }
        };
    }

    void install(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null) {
            return;
        }
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            if (e.getValue() instanceof HttpServerCodec || e.getValue() instanceof HttpRequestDecoder) {
                pipeline.addAfter(e.getKey(), GUARD, new RequestGuard(admission, blocking));
                pipeline.addAfter(GUARD, NAME, new TusPatchHandler(transfers, admission, blocking));
                pipeline.addAfter(NAME, PAYLOAD, new PayloadHandler(transfers, admission, blocking));
                return;
            }
        }
    }
}
