package jp.sekisho.gateway.operations;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.tls.TlsInventory;

/** The expiry watch, started with the gateway (which asks for it once the store is open) and closed with it. */
@Factory
final class ExpiryBeans {

    @Singleton
    @Bean(preDestroy = "close")
    ExpiryWatch expiryWatch(GatewayConfig config, TlsInventory tls, Metrics metrics, Clock clock) {
        ExpiryWatch watch = new ExpiryWatch(
                tls, config.tls().certificate(), config.tls().trustAnchors(), clock, ExpiryWatch::toLog);
        watch.register(metrics::gauge);
        return watch.start();
    }
}
