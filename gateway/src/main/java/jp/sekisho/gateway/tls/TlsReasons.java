package jp.sekisho.gateway.tls;

/** Stable reason codes of TLS_FAILED audit events. */
public final class TlsReasons {
    public static final String NO_CERTIFICATE = "NO_CERTIFICATE";
    public static final String UNKNOWN_CA = "UNKNOWN_CA";
    public static final String EXPIRED = "EXPIRED";
    public static final String REVOKED = "REVOKED";
    public static final String WRONG_USAGE = "WRONG_USAGE";
    /** The CRL for the certificate's issuer is past its nextUpdate: fail closed. */
    public static final String CRL_EXPIRED = "CRL_EXPIRED";
    /** No readable, correctly signed CRL for the certificate's issuer: fail closed. */
    public static final String CRL_UNAVAILABLE = "CRL_UNAVAILABLE";
    /** Any other handshake failure: protocol version, cipher suites, not TLS at all, timeout. */
    public static final String HANDSHAKE_FAILED = "HANDSHAKE_FAILED";

    private TlsReasons() {
    }
}
