package jp.sekisho.gateway.relay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A small web system behind the relay for the relay's own tests: the JDK's HTTPS server requiring a
 * client certificate (the gateway's). {@code /payroll/...} answers with the request head it received
 * (so a test sees what crossed the relay), with headers a cache or proxy must not pass on;
 * {@code /slow} sends an endless body, paced only by the reader (a download that never ends unless cut).
 */
final class TestUpstream implements AutoCloseable {

    private final HttpsServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    TestUpstream(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters p) {
                p.setNeedClientAuth(true);
            }
        });
        server.createContext("/payroll/", this::echo);
        server.createContext("/slow", TestUpstream::endless);
        server.setExecutor(threads);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void echo(HttpExchange x) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(x.getRequestMethod()).append(' ').append(x.getRequestURI()).append('\n');
        Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(x.getRequestHeaders());
        sorted.forEach((k, v) -> sb.append(k.toLowerCase(java.util.Locale.ROOT))
                .append(": ")
                .append(String.join(",", v))
                .append('\n'));
        byte[] in = x.getRequestBody().readAllBytes();
        sb.append("body-bytes: ").append(in.length).append('\n');
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "public, max-age=600");
        x.getResponseHeaders().set("Keep-Alive", "timeout=5");
        x.getResponseHeaders().set("Proxy-Authenticate", "Basic");
        x.getResponseHeaders().set("X-Upstream", "payroll");
        x.sendResponseHeaders(200, x.getRequestMethod().equals("HEAD") ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            if (!x.getRequestMethod().equals("HEAD")) {
                out.write(body);
            }
        }
    }

    private static void endless(HttpExchange x) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/octet-stream");
        x.sendResponseHeaders(200, 0); // chunked
        byte[] piece = new byte[64 * 1024];
        try (OutputStream out = x.getResponseBody()) {
            while (true) { // blocks when the relay stops reading; ends when the relay cuts the connection
                out.write(piece);
                out.flush();
            }
        } catch (IOException expected) {
            // the relay closed the connection
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
