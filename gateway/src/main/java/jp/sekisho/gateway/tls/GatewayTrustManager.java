package jp.sekisho.gateway.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS stack's view of {@link ClientCertificateChecker}: a rejected certificate aborts the
 * handshake with a {@link CertificateRejectedException} that the session handler finds again in
 * the handshake failure's causes to write the audit reason. Server certificates are never checked
 * here (the gateway only accepts). For BoringSSL the refusal travels inside the exception Netty
 * maps to a specific TLS alert ({@link OpenSslAlerts}), so the client can say what happened.
 */
public final class GatewayTrustManager extends X509ExtendedTrustManager {

    private final ClientCertificateChecker checker;
    private final X509Certificate[] issuers;
    private final boolean openSsl;

    public GatewayTrustManager(ClientCertificateChecker checker, List<X509Certificate> anchors) {
        this(checker, anchors.toArray(new X509Certificate[0]), false);
    }

    private GatewayTrustManager(ClientCertificateChecker checker, X509Certificate[] issuers, boolean openSsl) {
        this.checker = checker;
        this.issuers = issuers;
        this.openSsl = openSsl;
    }

    /** The same checks, with refusals thrown so that BoringSSL (netty-tcnative) sends the matching alert. */
    GatewayTrustManager forOpenSsl() {
        return new GatewayTrustManager(checker, issuers, true);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        try {
            checker.check(chain);
        } catch (CertificateRejectedException e) {
            throw openSsl ? OpenSslAlerts.of(e) : e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("the gateway does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("the gateway does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the gateway does not verify servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }
}
