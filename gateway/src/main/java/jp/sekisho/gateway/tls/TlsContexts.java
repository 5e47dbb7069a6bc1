package jp.sekisho.gateway.tls;

import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * The gateway's server-side TLS policy: TLS 1.3 and 1.2 only, AEAD suites only (AES-GCM and
 * ChaCha20-Poly1305; ECDHE key exchange for 1.2), client certificate required and judged by
 * {@link GatewayTrustManager}. JDK provider, so the behaviour does not depend on a native library.
 */
public final class TlsContexts {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsContexts() {
    }

    public static SslContext server(TlsMaterial material, GatewayTrustManager trust) {
        try {
            return SslContextBuilder.forServer(material.key(), material.chain())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(trust)
                    .sessionCacheSize(1)
                    .sessionTimeout(1)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /** The reason code of a failed handshake. */
    public static String classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateRejectedException r) {
                return r.reason();
            }
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof SSLHandshakeException
                    && (m.contains("Empty client certificate chain") || m.contains("certificate_required")
                    || m.contains("Empty certificate chain"))) {
                return TlsReasons.NO_CERTIFICATE;
            }
        }
        return TlsReasons.HANDSHAKE_FAILED;
    }

    public static CertificateRejectedException rejection(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateRejectedException r) {
                return r;
            }
        }
        return null;
    }
}
