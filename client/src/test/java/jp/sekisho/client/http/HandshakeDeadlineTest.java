package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk transfers (a download, an upload's PATCH) open their own HttpsURLConnection with a read
 * timeout of 10 minutes, which the JDK also gives the TLS handshake. Every socket of the client's
 * factory must instead finish its handshake within the connect timeout, and a socket whose handshake
 * did finish must not be cut later, however slow its answer.
 */
class HandshakeDeadlineTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private TestPki pki;

    @BeforeEach
    void pki() {
        pki = TestPki.create(dir.resolve("certs"));
        pki.client("sender");
    }

    private GatewayClient client(int port) {
        return new GatewayClient(
                URI.create("https://127.0.0.1:" + port + "/"),
                Identities.load(pki.dir().resolve("sender.p12"), new char[0]),
                List.of(pki.caCertificate()),
                DEADLINE);
    }

    /** As Downloader and TusPatch open theirs. */
    private static HttpsURLConnection bulk(GatewayClient client, int port) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + port + "/payload").openConnection();
        c.setSSLSocketFactory(client.socketFactory());
        c.setConnectTimeout(10_000);
        c.setReadTimeout((int) Duration.ofMinutes(10).toMillis());
        return c;
    }

    @Test
    void aHandshakeThatNeverEndsIsCutAtTheDeadlineNotTheReadTimeout() throws Exception {
        try (SilentListener silent = new SilentListener()) {
            GatewayClient client = client(silent.port());
            HttpsURLConnection c = bulk(client, silent.port());
            long t0 = System.nanoTime();
            // the failure is explained on the thread that met it, as Downloader and TusPatch do
            String said = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                IOException e = assertThrows(IOException.class, c::getResponseCode);
                return client.unavailable(e).getMessage();
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // the JDK may try once more on a fresh connection: two deadlines, not ten minutes
            assertTrue(ms < 9_000, "the stalled handshake was cut after " + ms + " ms");
            assertTrue(said.startsWith("UNAVAILABLE") && said.contains("TLS handshake did not finish"), said);
            assertTrue(!said.contains("is the gateway running"), said);
        }
    }

    @Test
    void aFinishedHandshakeIsNotCutByItsDeadline() throws Exception {
        Credential server = pki.server("gw", List.of("localhost"), List.of("127.0.0.1"));
        try (SSLServerSocket listener = serverSocket(server)) {
            Thread t = new Thread(() -> answerLate(listener));
            t.setDaemon(true);
            t.start();
            HttpsURLConnection c = bulk(client(listener.getLocalPort()), listener.getLocalPort());
            assertEquals(200, c.getResponseCode());
            try (InputStream in = c.getInputStream()) {
                assertEquals("late", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
            t.join(5_000);
        }
    }

    /** Finishes the handshake at once, then answers three deadlines later. */
    private static void answerLate(SSLServerSocket listener) {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.startHandshake();
            InputStream in = s.getInputStream();
            byte[] head = new byte[4096];
            int n = 0;
            while (n < 4 || !new String(head, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    return;
                }
                n += r;
            }
            Thread.sleep(3 * DEADLINE.toMillis());
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlate"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client's assertion says what went wrong
        }
    }

    private SSLServerSocket serverSocket(Credential cred) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", cred.privateKey(), new char[0], new X509Certificate[] {cred.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket)
                ctx.getServerSocketFactory().createServerSocket(0, 8, InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(true);
        return s;
    }
}
