package jp.sekisho.certs;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS context of a command that talks to a gateway: the caller's own certificate for mutual
 * TLS, and the CA(s) the gateway's server certificate must chain to ({@link ServerTrust}: the chain,
 * and the host's name or address in the certificate).
 */
public final class ClientTls {

    private ClientTls() {}

    public static SSLContext context(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trustAnchors) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : trustAnchors) {
                trust.setCertificateEntry("anchor-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(
                    new KeyManager[] {new OneIdentity(key, chain.toArray(new X509Certificate[0]))},
                    new TrustManager[] {new ServerTrust(pkix(tmf))},
                    null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot set up TLS with this identity: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager pkix(TrustManagerFactory tmf) {
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new PkiException("this Java has no X.509 trust manager");
    }

    /**
     * Presents the one identity the command was given. Not a key store: the JDK's PKCS#12 key store
     * encrypts a key as it is put in (10,000 PBKDF2 iterations) and the key manager decrypts it again,
     * which cost every command a few hundred milliseconds of a cold JVM for nothing.
     */
    static final class OneIdentity extends X509ExtendedKeyManager {

        private static final String ALIAS = "identity";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        OneIdentity(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        /** The key types the TLS stack asks for ("EC", "RSA", "RSASSA-PSS", ...) that this key can serve. */
        private String aliasFor(String[] keyTypes) {
            if (keyTypes == null) {
                return null;
            }
            for (String t : keyTypes) {
                if (t != null && t.equalsIgnoreCase(key.getAlgorithm())) {
                    return ALIAS;
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return aliasFor(new String[] {keyType}) == null ? null : new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return aliasFor(keyTypes);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return aliasFor(keyTypes);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }

    /** The CA certificates inside an identity's chain: the default trust for the gateway's certificate. */
    public static List<X509Certificate> caCertificates(List<X509Certificate> chain) {
        return chain.stream().filter(c -> c.getBasicConstraints() >= 0).toList();
    }
}
