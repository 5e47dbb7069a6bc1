package jp.sekisho.client.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.ClientTls;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * Talks JSON to a gateway over mutual TLS with the caller's own certificate. Answers map to the
 * CLI's exit codes: a problem answer with 401/403/404/409 is a refusal by policy (1, reason code
 * printed), 400/422 an input error (2), 503 or no connection: unavailable (3). A connection that
 * fails is classified by {@link ConnectionFailure}: a TLS alert or a close before TLS is the
 * gateway refusing (1), no connection is unavailable (3).
 */
public final class GatewayClient {

    /** A JSON answer. */
    public record Response(int status, String body) {
        public Object json() {
            return body.isBlank() ? null : Json.parse(body);
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> object() {
            return (Map<String, Object>) json();
        }

        @SuppressWarnings("unchecked")
        public List<Object> array() {
            return (List<Object>) json();
        }
    }

    private final URI base;
    private final SSLSocketFactory sockets;
    private final UrlExchange exchange;
    private final ConnectionFailure failures;

    public GatewayClient(URI base, Identity identity, List<X509Certificate> trustAnchors, Duration connectTimeout) {
        this(base, identity, trustAnchors, connectTimeout, null);
    }

    /** As above, every connection from the local address {@code bind} when it is not null (--bind). */
    public GatewayClient(
            URI base,
            Identity identity,
            List<X509Certificate> trustAnchors,
            Duration connectTimeout,
            InetAddress bind) {
        UrlConnections.install();
        this.base = base;
        SSLContext ssl = sslContext(identity, trustAnchors);
        this.sockets = new GatewaySockets(ssl.getSocketFactory(), bind, connectTimeout);
        this.exchange = new UrlExchange(sockets, connectTimeout);
        this.failures = new ConnectionFailure(base, identity.chain().get(0), new TlsProbe(base, ssl, bind, sockets));
    }

    /**
     * One socket factory for all {@link javax.net.ssl.HttpsURLConnection}s of this client: their
     * keep-alive cache is keyed by the factory, so a new one per request means a new TLS handshake.
     */
    public SSLSocketFactory socketFactory() {
        return sockets;
    }

    public URI base() {
        return base;
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /** A DELETE that says why (e.g. {@code routes delete ID --reason TEXT}). */
    public Response delete(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .method("DELETE", HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    /** A path (or absolute URL, e.g. a {@code Location} answer) resolved against the gateway's base URL. */
    public URI resolve(String pathOrUrl) {
        return base.resolve(pathOrUrl);
    }

    /**
     * Sends any request (custom method, headers, streamed body, streamed answer) and returns the
     * answer whatever its status; network failures come out as {@link IOException} so that the
     * caller can retry them. {@link #unavailable} turns one into the CLI's error.
     */
    public <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return exchange.send(request, handler);
    }

    /**
     * Sends {@code request} and returns the answer with its body unread, for answers too large to
     * hold in memory (reports); the caller closes it. Failures as for {@link #exchange}.
     */
    public Streamed open(HttpRequest request) throws IOException, InterruptedException {
        return exchange.open(request);
    }

    /** An answer whose body is read as it arrives. */
    public record Streamed(int status, java.io.InputStream body) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * The CLI error for a failed connection to the gateway: a refusal the gateway made (a TLS alert,
     * a close before TLS: exit 1), this client refusing the gateway's certificate (2), or no
     * connection (3); see {@link ConnectionFailure}.
     */
    public CliException unavailable(IOException e) {
        return failures.of(e);
    }

    /**
     * A TLS handshake failure or an alert from the gateway is a refusal or a configuration problem,
     * not a passing network fault: retrying cannot help.
     */
    public static boolean retryable(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SSLHandshakeException) {
                return false;
            }
        }
        return ConnectionFailure.alert(e).isEmpty();
    }

    /**
     * Sends a built request and returns its answer whatever its status (the caller decides what a
     * 4xx means); a failed connection is the CLI's error ({@link #unavailable}), not retried.
     */
    public Response answer(HttpRequest request) {
        HttpResponse<String> res;
        try {
            res = exchange(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        }
        return new Response(res.statusCode(), res.body());
    }

    private Response send(HttpRequest.Builder b) {
        Response r = answer(b.timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .build());
        if (r.status() >= 400) {
            throw problem(r);
        }
        return r;
    }

    /** A problem answer as a one-line error with the reason code first, and the matching exit code. */
    public static CliException problem(Response r) {
        String reason = "HTTP_" + r.status();
        String detail = "";
        try {
            Map<String, Object> p = r.object();
            if (p != null) {
                reason = p.get("reason") != null ? String.valueOf(p.get("reason")) : reason;
                detail = p.get("detail") != null
                        ? String.valueOf(p.get("detail"))
                        : p.get("title") != null ? String.valueOf(p.get("title")) : "";
            }
        } catch (RuntimeException ignored) {
            detail = r.body().length() > 200 ? r.body().substring(0, 200) : r.body();
        }
        // Malformed requests are input errors; every other refusal (403 role or route, 409 state,
        // 413 size, 422 payload, 460 checksum) is the gateway refusing by policy.
        int code = switch (r.status()) {
            case 400, 415 -> ExitCode.USAGE;
            case 502, 503, 504 -> ExitCode.UNAVAILABLE;
            default -> ExitCode.REFUSED;
        };
        return new CliException(code, withJapanese(reason, detail));
    }

    /**
     * "REASON: 日本語。 detail": the gateway's problem says what happened in English; the reason's
     * Japanese comes from the same table the gateway answers from (read only on this error path).
     */
    static String withJapanese(String reason, String detail) {
        String ja = jp.sekisho.gateway.admission.Reason.of(reason)
                .map(jp.sekisho.gateway.admission.Reason::ja)
                .orElse(null);
        if (ja == null) {
            return reason + (detail.isBlank() ? "" : ": " + detail);
        }
        return reason + ": " + ja + "。" + (detail.isBlank() ? "" : " " + detail);
    }

    private static SSLContext sslContext(Identity identity, List<X509Certificate> trustAnchors) {
        try {
            return ClientTls.context(identity.privateKey(), identity.chain(), trustAnchors);
        } catch (PkiException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }
}
