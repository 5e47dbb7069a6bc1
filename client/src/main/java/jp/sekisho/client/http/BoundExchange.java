package jp.sekisho.client.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends one {@link HttpRequest} over {@link HttpsURLConnection}, for {@code --bind}: the JDK 17
 * HttpClient cannot choose its local address (that came in JDK 19), HttpsURLConnection can through
 * its socket factory. Requests here are small JSON exchanges (the bulk PATCH and GET already use
 * HttpsURLConnection), so the body is collected in memory.
 */
final class BoundExchange {

    private static final int MAX_BODY = 16 << 20;

    private final SSLSocketFactory sockets;
    private final Duration connectTimeout;

    BoundExchange(SSLSocketFactory sockets, Duration connectTimeout) {
        this.sockets = sockets;
        this.connectTimeout = connectTimeout;
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpsURLConnection c = (HttpsURLConnection) request.uri().toURL().openConnection();
        c.setSSLSocketFactory(sockets);
        c.setConnectTimeout((int) connectTimeout.toMillis());
        c.setReadTimeout((int) request.timeout().orElse(Duration.ofMinutes(1)).toMillis());
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(request.method());
        request.headers().map().forEach((k, vs) -> vs.forEach(v -> c.addRequestProperty(k, v)));
        byte[] body = body(request);
        // no body, no output stream: HttpURLConnection would label an empty streamed POST as a form
        if (body.length > 0) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null) {
                fields.put(k, v);
            }
        });
        HttpHeaders headers = HttpHeaders.of(fields, (k, v) -> true);
        byte[] answer;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            answer = in == null || "HEAD".equals(request.method()) ? new byte[0] : in.readNBytes(MAX_BODY);
        }
        HttpResponse.ResponseInfo info = new Info(status, headers);
        HttpResponse.BodySubscriber<T> sub = handler.apply(info);
        sub.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        if (answer.length > 0) {
            sub.onNext(List.of(ByteBuffer.wrap(answer)));
        }
        sub.onComplete();
        T value;
        try {
            value = sub.getBody().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the answer of " + request.uri() + ": " + e.getMessage(), e);
        }
        return new Answer<>(status, headers, value, request);
    }

    /** The request body: the publishers used here (ofString, noBody) publish at once when asked. */
    private static byte[] body(HttpRequest request) throws IOException, InterruptedException {
        Optional<HttpRequest.BodyPublisher> p = request.bodyPublisher();
        if (p.isEmpty() || p.get().contentLength() == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        p.get().subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(bytes.toByteArray());
            }
        });
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the request body: " + e.getMessage(), e);
        }
    }

    private record Info(int statusCode, HttpHeaders headers) implements HttpResponse.ResponseInfo {
        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    private record Answer<T>(int statusCode, HttpHeaders headers, T body, HttpRequest request)
            implements HttpResponse<T> {
        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
