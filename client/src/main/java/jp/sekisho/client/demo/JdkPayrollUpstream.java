package jp.sekisho.client.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * The payroll web server when nginx is not installed: the JDK's HttpsServer, requiring a client
 * certificate from the city's CA and then the gateway's own (as the nginx configuration does).
 */
final class JdkPayrollUpstream implements PayrollUpstream {

    private static final int MAX_UPLOAD = 100 << 20;

    private final HttpsServer server;
    private final ExecutorService pool;

    private JdkPayrollUpstream(HttpsServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    static JdkPayrollUpstream start(DemoLayout d, int port) {
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-payroll-upstream");
            t.setDaemon(true);
            return t;
        });
        try {
            SSLContext tls = tls(d);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            server.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    p.setNeedClientAuth(true); // no certificate, no TLS: only the gateway gets in
                    params.setSSLParameters(p);
                }
            });
            server.createContext("/", JdkPayrollUpstream::handle);
            server.setExecutor(pool);
            server.start();
            return new JdkPayrollUpstream(server, pool);
        } catch (IOException | GeneralSecurityException e) {
            pool.shutdownNow();
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "デモの給与 Web サーバーを起動できません / the demo's payroll web server could not start on port " + port + ": "
                            + e);
        }
    }

    /** Its own certificate from the contractor's CA; client certificates must chain to the city's CA. */
    private static SSLContext tls(DemoLayout d) throws GeneralSecurityException, IOException {
        Identity id = Identities.fromPem(
                d.upstreamCerts().resolve("payroll-web.pem"), d.upstreamCerts().resolve("payroll-web.key"), null);
        char[] none = new char[0];
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("payroll-web", id.privateKey(), none, id.chain().toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, none);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        List<X509Certificate> anchors = Pem.readCertificates(d.cert("ca", "pem"));
        for (int i = 0; i < anchors.size(); i++) {
            trust.setCertificateEntry("city-ca-" + i, anchors.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!gatewayCertificate(ex)) {
                answer(ex, 403, "text/plain", "この証明書は受け付けません / only the gateway's certificate\n");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            if (path.equals(PayrollSite.PAGE_PATH) && (method.equals("GET") || method.equals("HEAD"))) {
                answer(ex, 200, "text/html", PayrollSite.page());
            } else if (path.equals(PayrollSite.UPLOAD_PATH) && method.equals("POST")) {
                long n = drain(ex.getRequestBody());
                if (n > MAX_UPLOAD) {
                    answer(ex, 413, "text/plain", "too large\n");
                } else {
                    answer(ex, 200, "text/plain", PayrollSite.uploaded(Long.toString(n)));
                }
            } else if (path.equals(PayrollSite.UPLOAD_PATH)) {
                answer(ex, 405, "text/plain", "POST only\n");
            } else {
                answer(ex, 404, "text/plain", "not found\n");
            }
        }
    }

    private static boolean gatewayCertificate(HttpExchange ex) {
        try {
            X500Principal p =
                    (X500Principal) ((HttpsExchange) ex).getSSLSession().getPeerPrincipal();
            return PayrollSite.GATEWAY_CLIENT_DN.equals(p.getName(X500Principal.RFC2253));
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** Reads the body to its end, counting; what goes over the limit is read and dropped. */
    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        int r;
        while ((r = in.read(buf)) > 0) {
            n += r;
        }
        return n;
    }

    private static void answer(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public String describe() {
        return "JDK HttpsServer（nginx は入っていません / nginx is not installed）: " + url()
                + "、クライアント証明書が必要 / client certificate required: " + PayrollSite.GATEWAY_CLIENT_DN;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
