package jp.sekisho.certs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's trust in a gateway (issue 18 took the JDK's own endpoint check out, which read the
 * JDK's public root CAs on every command): the chain must lead to the given CA, and the certificate
 * must name the host connected to, in a subjectAltName, by real TLS handshakes and by the rules alone.
 */
class ServerTrustTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestPki foreign;
    static X509Certificate named;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(dir.resolve("pki"));
        foreign = TestPki.create(dir.resolve("foreign"));
        named = pki.server("gw", List.of("gw.kurume.example.jp", "*.dc.example.jp"), List.of("192.0.2.7", "::1"))
                .certificate();
    }

    @Test
    void anAddressMatchesOnlyAnIpAddressSubjectAltName() {
        assertDoesNotThrow(() -> ServerTrust.checkHost(named, "192.0.2.7"));
        assertDoesNotThrow(() -> ServerTrust.checkHost(named, "[::1]"));
        assertDoesNotThrow(() -> ServerTrust.checkHost(named, "0:0:0:0:0:0:0:1"));
        CertificateException e =
                assertThrows(CertificateException.class, () -> ServerTrust.checkHost(named, "192.0.2.8"));
        assertTrue(
                e.getMessage().contains("192.0.2.8") && e.getMessage().contains("gw.kurume.example.jp"),
                e.getMessage());
        // an out-of-range quad is not an address, and never looked up as a name either
        assertThrows(CertificateException.class, () -> ServerTrust.checkHost(named, "192.0.2.700"));
    }

    @Test
    void aNameMatchesADnsNameExactlyOrOneLabelUnderAWildcard() {
        assertDoesNotThrow(() -> ServerTrust.checkHost(named, "gw.kurume.example.jp"));
        assertDoesNotThrow(() -> ServerTrust.checkHost(named, "GW.Kurume.Example.JP."));
        assertDoesNotThrow(() -> ServerTrust.checkHost(named, "node1.dc.example.jp"));
        for (String wrong : List.of(
                "kurume.example.jp",
                "x.gw.kurume.example.jp",
                "dc.example.jp",
                "a.b.dc.example.jp",
                "evil-gw.kurume.example.jp")) {
            assertThrows(CertificateException.class, () -> ServerTrust.checkHost(named, wrong), wrong);
        }
        assertThrows(CertificateException.class, () -> ServerTrust.checkHost(named, null));
    }

    @Test
    void wildcardsOnlyAsTheWholeLeftmostLabelOfThreeOrMore() {
        assertTrue(ServerTrust.dnsMatches("*.example.jp", "a.example.jp"));
        assertFalse(ServerTrust.dnsMatches("*.jp", "example.jp"));
        assertFalse(ServerTrust.dnsMatches("*.*.example.jp", "a.b.example.jp"));
        assertFalse(ServerTrust.dnsMatches("a*.example.jp", "ab.example.jp"));
        assertFalse(ServerTrust.dnsMatches("*.example.jp", "example.jp"));
        assertFalse(ServerTrust.dnsMatches("*.example.jp", ".example.jp"));
        assertFalse(ServerTrust.dnsMatches("", ""));
    }

    @Test
    void theCommonNameIsNeverTakenForAName() {
        X509Certificate cnOnly = pki.server("cn-only.example.jp", List.of(), List.of("192.0.2.9"))
                .certificate();
        assertThrows(CertificateException.class, () -> ServerTrust.checkHost(cnOnly, "cn-only.example.jp"));
    }

    @Test
    void aRealHandshakeChecksTheChainAndTheHost() throws Exception {
        Credential local = pki.server("local", List.of("localhost"), List.of("127.0.0.1"));
        try (Server s = new Server(local)) {
            assertEquals("ok", s.fetch(pki, "127.0.0.1"));
            assertEquals("ok", s.fetch(pki, "localhost"));
        }
        Credential elsewhere = pki.server("elsewhere", List.of("gw.example.jp"), List.of("192.0.2.10"));
        try (Server s = new Server(elsewhere)) {
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> s.fetch(pki, "127.0.0.1"));
            assertTrue(String.valueOf(e.getCause()).contains("no IP address 127.0.0.1"), String.valueOf(e.getCause()));
        }
        try (Server s = new Server(local)) {
            // the right name, but a chain to another CA
            assertThrows(SSLHandshakeException.class, () -> s.fetch(foreign, "127.0.0.1"));
        }
    }

    /** One TLS server answering "ok" to each connection. */
    private static final class Server implements AutoCloseable {
        private final SSLServerSocket socket;
        private final Thread thread;

        Server(Credential cred) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("k", cred.privateKey(), new char[0], new X509Certificate[] {cred.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            socket = (SSLServerSocket)
                    ctx.getServerSocketFactory().createServerSocket(0, 8, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (SSLSocket c = (SSLSocket) socket.accept()) {
                        c.setSoTimeout(5_000);
                        OutputStream out = c.getOutputStream();
                        out.write("ok".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (Exception e) {
                        // a refused handshake, or the end
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        /** Connects as a client trusting {@code ca}'s root, to {@code host}, with endpoint identification on. */
        String fetch(TestPki ca, String host) throws Exception {
            Credential me = ca.client("me-" + System.nanoTime());
            SSLContext ctx = ClientTls.context(me.privateKey(), List.of(me.certificate()), List.of(ca.caCertificate()));
            try (SSLSocket c = (SSLSocket) ctx.getSocketFactory().createSocket(host, socket.getLocalPort())) {
                SSLParameters p = c.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                c.setSSLParameters(p);
                c.setSoTimeout(5_000);
                c.startHandshake();
                InputStream in = c.getInputStream();
                return new String(in.readNBytes(2), java.nio.charset.StandardCharsets.US_ASCII);
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }
}
