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
 * here (the gateway only accepts).
 */
public final class GatewayTrustManager extends X509ExtendedTrustManager {

    private final ClientCertificateChecker checker;
    private final X509Certificate[] issuers;

    public GatewayTrustManager(ClientCertificateChecker checker, List<X509Certificate> anchors) {
        this.checker = checker;
        this.issuers = anchors.toArray(new X509Certificate[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checker.check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checker.check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checker.check(chain);
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
