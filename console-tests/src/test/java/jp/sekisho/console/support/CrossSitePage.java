package jp.sekisho.console.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Another site a console user happens to visit: plain HTTP on a port of its own (another origin and,
 * by scheme, another site), serving a page that makes the visitor's browser POST a form to the
 * console at once. The browser brings its client certificate along: only the console's CSRF defence
 * stands between the page and the decision.
 */
public final class CrossSitePage implements AutoCloseable {

    private final HttpServer server;

    private CrossSitePage(HttpServer server) {
        this.server = server;
    }

    /** Serves, at {@link #url()}, a page that auto-submits {@code fields} to {@code action} (POST). */
    public static CrossSitePage posting(String action, Map<String, String> fields) throws IOException {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body onload=\"document.forms[0].submit()\">")
                .append("<form method=\"POST\" action=\"")
                .append(attr(action))
                .append("\">");
        fields.forEach((k, v) -> html.append("<input type=\"hidden\" name=\"")
                .append(attr(k))
                .append("\" value=\"")
                .append(attr(v))
                .append("\">"));
        byte[] body = html.append("</form></body></html>").toString().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=UTF-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return new CrossSitePage(server);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/prize";
    }

    private static String attr(String s) {
        return s.replace("&", "&amp;")
                .replace("\"", "&quot;")
                .replace("<", "&lt;")
                .replace(">", "&gt;");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
