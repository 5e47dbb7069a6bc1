package jp.sekisho.client.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import jp.sekisho.certs.Pem;
import jp.sekisho.cli.Printable;

/**
 * A payroll client terminal as the relay sees one: a browser-like HTTPS client without a client
 * certificate (terminal-mode tls), trusting the gateway's CA. Each call returns one printable line.
 */
final class DemoTerminal {

    private static final Pattern TITLE = Pattern.compile("<title>([^<]{1,200})</title>");
    /** A problem document's reason, or a refusal page's code (upper case with underscores). */
    private static final Pattern REASON =
            Pattern.compile("\"reason\"\\s*:\\s*\"([A-Z_]{1,64})\"|\\b([A-Z]+_[A-Z_]{2,63})\\b");

    private final HttpClient http;

    DemoTerminal(List<X509Certificate> trust) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trusting(trust))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** A terminal of the city trusting {@code caPem} for the server's certificate. */
    static DemoTerminal trusting(java.nio.file.Path caPem) {
        return new DemoTerminal(Pem.readCertificates(caPem));
    }

    /** What {@code method url} with {@code body} (null: none) meets, as a line: status and the gist. */
    String request(String method, String url, byte[] body) {
        HttpRequest.BodyPublisher publisher =
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(15))
                .header("Accept", "text/html, application/problem+json;q=0.9, */*;q=0.8")
                .method(method, publisher);
        if (body != null) {
            b.header("Content-Type", "application/octet-stream");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return r.statusCode() + " " + gist(r);
        } catch (IOException e) {
            return "応答なし / no answer: " + Printable.of(String.valueOf(e.getMessage() == null ? e : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "中断しました / interrupted";
        }
    }

    /** A refusal's reason code, the page's title, or the start of a plain answer. */
    private static String gist(HttpResponse<String> r) {
        String body = r.body();
        if (r.statusCode() >= 400) {
            Matcher reason = REASON.matcher(body);
            if (reason.find()) {
                return reason.group(1) != null ? reason.group(1) : reason.group(2);
            }
        }
        Matcher t = TITLE.matcher(body);
        if (t.find()) {
            return "<title>" + Printable.of(t.group(1)) + "</title>"
                    + r.headers()
                            .firstValue("Cache-Control")
                            .map(c -> "  (Cache-Control: " + Printable.of(c) + ")")
                            .orElse("");
        }
        String first = body.strip().lines().findFirst().orElse("");
        return Printable.of(first.length() > 160 ? first.substring(0, 160) + "…" : first);
    }

    private static SSLContext trusting(List<X509Certificate> anchors) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                trust.setCertificateEntry("anchor-" + i, anchors.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up the terminal's TLS: " + e.getMessage(), e);
        }
    }
}
