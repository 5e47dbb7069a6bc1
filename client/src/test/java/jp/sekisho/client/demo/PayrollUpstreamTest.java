package jp.sekisho.client.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import jp.sekisho.certs.ClientTls;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's payroll web server, both kinds, over real TLS: the gateway's client certificate gets the
 * page and the upload; no certificate gets no TLS; another of the city's certificates gets 403; the
 * server's certificate chains to the contractor's CA, not the city's. nginx only where it is installed.
 */
class PayrollUpstreamTest {

    @TempDir
    Path tmp;

    private DemoLayout d;

    @BeforeEach
    void pki() throws IOException {
        d = new DemoLayout(tmp.resolve("demo"));
        DemoSetup setup = new DemoSetup(d);
        PrintWriter quiet = new PrintWriter(new StringWriter());
        setup.prepareFolder(quiet);
        setup.mintPki(new DemoConsole(quiet, d));
    }

    @Test
    void theJdkServerLetsOnlyTheGatewaysCertificateIn() throws Exception {
        check(PayrollUpstream.Kind.JDK, "JDK HttpsServer");
    }

    @Test
    void nginxLetsOnlyTheGatewaysCertificateIn() throws Exception {
        assumeTrue(PayrollUpstream.findNginx().isPresent(), "nginx is not installed");
        check(PayrollUpstream.Kind.NGINX, "nginx/");
    }

    private void check(PayrollUpstream.Kind kind, String describes) throws Exception {
        int port = freePort();
        try (PayrollUpstream up = PayrollUpstream.start(kind, d, port)) {
            assertEquals("https://127.0.0.1:" + port, up.url());
            assertTrue(up.describe().contains(describes), up.describe());
            HttpClient gateway = client(as(DemoFiles.GATEWAY_CLIENT));

            HttpResponse<String> page = get(gateway, up.url() + PayrollSite.PAGE_PATH + "?staff=DUMMY-0001");
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().contains("<title>" + PayrollSite.TITLE + "</title>"), page.body());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));

            byte[] csv = "職員番号,日付\nDUMMY-0001,2026-11-30\n".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> upload = gateway.send(
                    HttpRequest.newBuilder(URI.create(up.url() + PayrollSite.UPLOAD_PATH))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(csv))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, upload.statusCode(), upload.body());
            assertEquals(PayrollSite.uploaded(Integer.toString(csv.length)), upload.body());

            assertEquals(404, get(gateway, up.url() + "/server-status").statusCode());
            assertEquals(
                    403,
                    get(client(as("city-sender")), up.url() + PayrollSite.PAGE_PATH)
                            .statusCode(),
                    "of the city's certificates only the gateway's");
            if (kind == PayrollUpstream.Kind.JDK) {
                assertThrows(
                        IOException.class,
                        () -> get(client(null), up.url() + PayrollSite.PAGE_PATH),
                        "no client certificate, no TLS");
            } else {
                // nginx finishes the handshake and answers 400 "No required SSL certificate was sent"
                HttpResponse<String> none = get(client(null), up.url() + PayrollSite.PAGE_PATH);
                assertEquals(400, none.statusCode(), none.body());
                assertTrue(!none.body().contains(PayrollSite.TITLE), "no page without the certificate");
            }
        }
        assertThrows(ConnectException.class, () -> connect(port), "closed with the demo");
    }

    private Identity as(String name) {
        return Identities.load(d.cert(name, "p12"), null);
    }

    /** A client trusting only the contractor's CA for the server; with {@code id} as its certificate. */
    private HttpClient client(Identity id) throws Exception {
        List<java.security.cert.X509Certificate> anchors =
                Pem.readCertificates(d.upstreamCerts().resolve("ca.pem"));
        SSLContext ctx;
        if (id == null) {
            ctx = SSLContext.getInstance("TLS");
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("upstream-ca", anchors.get(0));
            tmf.init(ks);
            ctx.init(null, tmf.getTrustManagers(), null);
        } else {
            ctx = ClientTls.context(id.privateKey(), id.chain(), anchors);
        }
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ctx)
                .build();
    }

    private static HttpResponse<String> get(HttpClient c, String url) throws Exception {
        return c.send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void connect(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
