package jp.sekisho.gateway.relay;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.RelayClientConfig;
import jp.sekisho.gateway.tls.TlsContexts;

/**
 * The gateway as a TLS client of relay upstreams: it trusts only the route's pinned CA (never the
 * JDK's trust store), checks the url's host name or IP address against the upstream's certificate,
 * and presents the gateway's client certificate ({@code relay.client-certificate}). One context per
 * pinned CA, built on first use.
 */
public final class UpstreamTls {

    /** Distinct pinned CAs kept; past it the cache starts over (routes rarely number more than a few). */
    static final int MAX_CONTEXTS = 256;

    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final SslProvider provider;
    private final ConcurrentHashMap<String, SslContext> contexts = new ConcurrentHashMap<>();

    public UpstreamTls(PrivateKey key, List<X509Certificate> chain, SslProvider provider) {
        this.key = key;
        this.chain = List.copyOf(chain);
        this.provider = provider;
    }

    /** Reads the certificate and key named by the {@code relay:} section (ConfigException naming the key). */
    public static UpstreamTls load(RelayClientConfig config, String file, SslProvider provider) {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = Pem.readCertificates(config.certificate());
        } catch (PkiException e) {
            throw new ConfigException(file + ": relay.client-certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new ConfigException(
                    file + ": relay.client-certificate: '" + config.certificate() + "' holds no PEM certificate");
        }
        try {
            key = Pem.readPrivateKey(config.key(), null);
        } catch (PkiException e) {
            throw new ConfigException(file + ": relay.client-key: " + e.getMessage());
        }
        return new UpstreamTls(key, chain, provider);
    }

    /** A client TLS handler for {@code upstream}, checking its certificate names the url's host. */
    SslHandler handler(Upstream upstream, ByteBufAllocator alloc) throws SSLException {
        SslContext ctx = context(upstream.caPem());
        String host = upstream.url().getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        SslHandler h = ctx.newHandler(alloc, host, upstream.port());
        SSLEngine engine = h.engine();
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        h.setHandshakeTimeoutMillis(RelayTimeouts.CONNECT_MILLIS);
        return h;
    }

    private SslContext context(String caPem) throws SSLException {
        if (caPem == null || caPem.isBlank()) {
            throw new SSLException("the relay route pins no CA for its https upstream");
        }
        SslContext ctx = contexts.get(caPem);
        if (ctx != null) {
            return ctx;
        }
        if (contexts.size() >= MAX_CONTEXTS) {
            contexts.clear();
        }
        ctx = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(TlsContexts.PROTOCOLS)
                .ciphers(TlsContexts.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .trustManager(pinned(caPem))
                .keyManager(key, chain.toArray(X509Certificate[]::new))
                .build();
        contexts.put(caPem, ctx);
        return ctx;
    }

    static X509Certificate[] pinned(String caPem) throws SSLException {
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certs =
                    f.generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))).stream()
                            .map(c -> (X509Certificate) c)
                            .toList();
            if (certs.isEmpty()) {
                throw new SSLException("the relay route's pinned CA PEM holds no certificate");
            }
            return certs.toArray(X509Certificate[]::new);
        } catch (CertificateException e) {
            throw new SSLException("the relay route's pinned CA PEM cannot be read: " + e.getMessage(), e);
        }
    }
}
