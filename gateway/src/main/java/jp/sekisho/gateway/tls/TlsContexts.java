package jp.sekisho.gateway.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's server-side TLS policy: TLS 1.3 and 1.2 only, AEAD suites only (AES-GCM and
 * ChaCha20-Poly1305; ECDHE key exchange for 1.2), client certificate required and judged by
 * {@link GatewayTrustManager}. BoringSSL (netty-tcnative) where it loads, since it decrypts an
 * upload with a third less CPU than the JDK's SSLEngine; the JDK's otherwise, or when
 * {@code tls.provider: jdk} asks for it. Both apply the same trust manager, protocols and suites
 * (BoringSSL's TLS 1.3 suites are fixed, and are the three above).
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

    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

    /**
     * The JDK's TLS 1.2 server accepts a client's renegotiation unless told otherwise (BoringSSL
     * refuses it); renegotiation lets a client change its certificate mid-connection and costs the
     * server a handshake per request. Read once, when the JDK's first server handshake begins, so it is
     * set here, before any server context exists; an operator's own setting is kept.
     */
    static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    static {
        if (System.getProperty(REJECT_RENEGOTIATION) == null) {
            System.setProperty(REJECT_RENEGOTIATION, "true");
        }
    }

    private TlsContexts() {}

    /** The provider {@code tls.provider} stands for on this machine; an {@code openssl} that cannot load fails. */
    public static SslProvider provider(GatewayConfig.TlsProvider wanted) {
        return switch (wanted) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("tls.provider is openssl but BoringSSL (netty-tcnative) cannot be "
                            + "loaded here: " + OpenSsl.unavailabilityCause() + "; use provider: auto or jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    public static SslContext server(TlsMaterial material, GatewayTrustManager trust, GatewayConfig.TlsProvider wanted) {
        SslProvider provider = provider(wanted);
        if (provider == SslProvider.OPENSSL) {
            LOG.info(
                    "TLS: {} via netty-tcnative (tls.provider: {})",
                    OpenSsl.versionString(),
                    wanted.name().toLowerCase(Locale.ROOT));
        } else {
            LOG.info(
                    "TLS: the JDK's SSLEngine (tls.provider: {}{})",
                    wanted.name().toLowerCase(Locale.ROOT),
                    wanted == GatewayConfig.TlsProvider.AUTO
                            ? "; BoringSSL unavailable: " + OpenSsl.unavailabilityCause()
                            : "");
        }
        try {
            return SslContextBuilder.forServer(material.key(), material.chain())
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(provider == SslProvider.OPENSSL ? trust.forOpenSsl() : trust)
                    .sessionCacheSize(1)
                    .sessionTimeout(1)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * A server context with the gateway's certificate and no client certificate asked for: relay
     * routes with {@code terminal-mode: tls}, whose terminals are browsers known by their address.
     */
    public static SslContext serverOnly(TlsMaterial material, GatewayConfig.TlsProvider wanted) {
        try {
            return SslContextBuilder.forServer(material.key(), material.chain())
                    .sslProvider(provider(wanted))
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the relay's TLS context: " + e.getMessage(), e);
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
                    && (m.contains("Empty client certificate chain")
                            || m.contains("certificate_required")
                            || m.contains("Empty certificate chain")
                            || m.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE"))) {
                return Reason.NO_CERTIFICATE.code();
            }
        }
        return Reason.HANDSHAKE_FAILED.code();
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
