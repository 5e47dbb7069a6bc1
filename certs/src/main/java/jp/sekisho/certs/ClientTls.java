package jp.sekisho.certs;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of a command that talks to a gateway: the caller's own certificate for mutual
 * TLS, and the CA(s) the gateway's server certificate must chain to.
 */
public final class ClientTls {

    private ClientTls() {
    }

    public static SSLContext context(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trustAnchors) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("identity", key, new char[0], chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : trustAnchors) {
                trust.setCertificateEntry("anchor-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot set up TLS with this identity: " + e.getMessage(), e);
        }
    }

    /** The CA certificates inside an identity's chain: the default trust for the gateway's certificate. */
    public static List<X509Certificate> caCertificates(List<X509Certificate> chain) {
        return chain.stream().filter(c -> c.getBasicConstraints() >= 0).toList();
    }
}
