package jp.sekisho.gateway.attack;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Client certificates no CA of ours would issue (self-signed, any subject) and client TLS contexts
 * for any key and chain, trusting the test CA as the real clients do.
 */
final class Certificates {

    private Certificates() {}

    /** A key and its certificate chain, as a client presents them. */
    record Client(PrivateKey key, X509Certificate... chain) {}

    static X500Name subject(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, cn)
                .addRDN(BCStyle.O, "Sekisho")
                .build();
    }

    /** CN=long, O and OU of 700 characters each: a ~1,400-character subject (a CN is bounded at 64). */
    static X500Name longSubject() {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, "long")
                .addRDN(BCStyle.O, "O".repeat(700))
                .addRDN(BCStyle.OU, "U".repeat(700))
                .build();
    }

    /** A self-signed client certificate (clientAuth EKU) with this subject, valid now. */
    static Client selfSigned(X500Name subject) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(
                        subject,
                        new BigInteger(64, new SecureRandom()),
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(30))),
                        subject,
                        kp.getPublic())
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        return new Client(kp.getPrivate(), cert);
    }

    static Client of(Credential c) {
        return new Client(Pem.readPrivateKey(c.keyFile(), null), c.certificate());
    }

    /** A client context presenting {@code client} (or no certificate when null), trusting {@code caPem}. */
    static SSLContext tls(Client client, Path caPem, String... protocols) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (client != null) {
            ks.setKeyEntry("me", client.key(), new char[0], client.chain());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        javax.net.ssl.KeyManager[] km =
                client == null ? kmf.getKeyManagers() : new javax.net.ssl.KeyManager[] {new Always(client)};
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", Pem.readCertificate(caPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(km, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Presents the client's certificate whatever CAs the server asks for: the JDK's own key manager
     * would send none for a self-signed or foreign certificate, and the attack would test nothing.
     */
    private static final class Always extends javax.net.ssl.X509ExtendedKeyManager {
        private final Client client;

        Always(Client client) {
            this.client = client;
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "me";
        }

        @Override
        public String chooseEngineClientAlias(
                String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return "me";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return client.chain().clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return client.key();
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"me"};
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
        }
    }
}
