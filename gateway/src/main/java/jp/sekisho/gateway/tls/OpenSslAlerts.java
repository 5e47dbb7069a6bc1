package jp.sekisho.gateway.tls;

import io.netty.handler.ssl.OpenSslCertificateException;
import java.security.cert.CertificateException;

/**
 * The TLS alert BoringSSL sends for each client-certificate refusal. Netty hands BoringSSL the
 * verify error of an {@link OpenSslCertificateException} thrown by the trust manager, and BoringSSL
 * turns it into the alert (its {@code SSL_alert_from_verify_result}). Without this every refusal
 * left as X509_V_ERR_UNSPECIFIED, and the client could not tell revoked from expired:
 * <ul>
 *   <li>REVOKED: X509_V_ERR_CERT_REVOKED, alert certificate_revoked;</li>
 *   <li>EXPIRED: X509_V_ERR_CERT_HAS_EXPIRED, alert certificate_expired;</li>
 *   <li>CRL_EXPIRED: X509_V_ERR_CRL_HAS_EXPIRED, alert certificate_expired too (TLS has no alert
 *       for a stale CRL; the closest says "expired", and the audit log says which);</li>
 *   <li>UNKNOWN_CA: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, alert unknown_ca;</li>
 *   <li>WRONG_USAGE: X509_V_ERR_INVALID_PURPOSE, alert unsupported_certificate;</li>
 *   <li>CRL_UNAVAILABLE and anything else: X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION ("this CRL
 *       cannot be used"), alert certificate_unknown.</li>
 * </ul>
 * The codes are OpenSSL's X509_V_ERR_* values (x509_vfy.h), the same in BoringSSL: an ABI that does
 * not change; written as numbers because netty-tcnative's classes are not on the compile class
 * path. Only used with the OPENSSL provider (Netty checks each code against the loaded library). The
 * JDK's SSLEngine sends certificate_unknown for any trust manager failure on the server side, so
 * there the client learns only that its certificate was refused.
 */
final class OpenSslAlerts {

    private OpenSslAlerts() {}

    /** The exception Netty's BoringSSL verifier understands, keeping the refusal as its cause for the audit. */
    static CertificateException of(CertificateRejectedException refused) {
        return new OpenSslCertificateException(refused.getMessage(), refused, verifyError(refused.reason()));
    }

    static int verifyError(String reason) {
        return switch (reason) {
            case "REVOKED" -> 23 /* X509_V_ERR_CERT_REVOKED */;
            case "EXPIRED" -> 10 /* X509_V_ERR_CERT_HAS_EXPIRED */;
            case "CRL_EXPIRED" -> 12 /* X509_V_ERR_CRL_HAS_EXPIRED */;
            case "UNKNOWN_CA" -> 20 /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */;
            case "WRONG_USAGE" -> 26 /* X509_V_ERR_INVALID_PURPOSE */;
            // BoringSSL makes CERT_REJECTED bad_certificate and UNABLE_TO_GET_CRL unknown_ca (both tried,
            // both misleading); an unreadable CRL extension falls to its default, certificate_unknown
            default -> 36 /* X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION */;
        };
    }
}
