package jp.sekisho.client.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
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
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends one {@link HttpRequest} over {@link HttpsURLConnection}: every exchange of a command with the
 * gateway, on one keep-alive connection (the cache is keyed by the socket factory, which the client
 * shares with its bulk uploads and downloads). The JDK's HttpClient was used here before; measured on
 * a cold JVM (issue 18), it cost a {@code send} a second TLS handshake, its own start (a selector
 * thread, ~20 ms) and a second TLS code path to run cold, about 80 ms in all; on Java 17 it also kept
 * the JVM from exiting for up to 0.3 s. Requests here are small JSON exchanges, so their answers are
 * collected in memory, up to {@link #MAX_BODY}; {@link #open} streams a large answer instead.
 */
final class UrlExchange {

    /** The largest answer {@link #send} collects. */
    static final int MAX_BODY = 16 << 20;

    private final SSLSocketFactory sockets;
    private final Duration connectTimeout;

    UrlExchange(SSLSocketFactory sockets, Duration connectTimeout) {
        this.sockets = sockets;
        this.connectTimeout = connectTimeout;
    }

    /** Sends {@code request} and returns the answer with its body unread. */
    GatewayClient.Streamed open(HttpRequest request) throws IOException, InterruptedException {
        return interruptibly(request, c -> {
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new GatewayClient.Streamed(status, in == null ? InputStream.nullInputStream() : in);
        });
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return interruptibly(request, c -> answer(request, handler, c));
    }

    /** What to do with a connection whose request is sent. */
    private interface Work<R> {
        R on(HttpsURLConnection c) throws IOException, InterruptedException;
    }

    /**
     * Runs the exchange on a thread of its own while the caller waits, as the JDK's HttpClient did:
     * interrupting the caller ends the wait at once (an agent stopping, a receive's long-poll) and
     * cuts the connection, where a thread blocked in a socket read would not notice; and the TCP
     * connect and TLS handshake together get the connect timeout, where HttpsURLConnection would give
     * the handshake the read timeout. A connection that does not finish both in time comes out as
     * {@link HttpConnectTimeoutException}, so that {@link ConnectionFailure} can tell a stalled
     * handshake (a gateway or load balancer that takes the connection and never answers) from an
     * answer that is late.
     */
    private <R> R interruptibly(HttpRequest request, Work<R> work) throws IOException, InterruptedException {
        AtomicReference<HttpsURLConnection> open = new AtomicReference<>();
        CompletableFuture<Void> connected = new CompletableFuture<>();
        FutureTask<R> task = new FutureTask<>(() -> {
            try {
                HttpsURLConnection c = prepare(request);
                open.set(c);
                c.connect();
                connected.complete(null);
                send(c, request);
                return work.on(c);
            } catch (IOException e) {
                throw HandshakeDeadline.explain(e, timeoutMessage(request));
            } finally {
                connected.complete(null); // failed: the task's own outcome says how
            }
        });
        Thread t = new Thread(task, "sekisho-http");
        t.setDaemon(true);
        t.start();
        try {
            try {
                connected.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                cut(open.get(), t);
                HttpConnectTimeoutException timeout = new HttpConnectTimeoutException(timeoutMessage(request));
                timeout.initCause(e);
                throw timeout;
            }
            return task.get();
        } catch (InterruptedException e) {
            cut(open.get(), t);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    private String timeoutMessage(HttpRequest request) {
        return "no connection and TLS handshake with " + request.uri().getAuthority() + " within "
                + connectTimeout.toMillis() + " ms";
    }

    /** Closes the connection under a running exchange, so that its thread stops waiting on the socket. */
    private static void cut(HttpsURLConnection c, Thread t) {
        if (c != null) {
            c.disconnect();
        }
        t.interrupt();
    }

    private static <T> HttpResponse<T> answer(
            HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpsURLConnection c)
            throws IOException, InterruptedException {
        int status = c.getResponseCode();
        HttpHeaders headers = headers(c);
        byte[] answer;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            answer = in == null || "HEAD".equals(request.method()) ? new byte[0] : in.readNBytes(MAX_BODY + 1);
        }
        if (answer.length > MAX_BODY) {
            throw new IOException("the answer of " + request.uri() + " is larger than " + MAX_BODY + " bytes");
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

    /** A connection for {@code request}, not yet connected. */
    private HttpsURLConnection prepare(HttpRequest request) throws IOException, InterruptedException {
        HttpsURLConnection c = (HttpsURLConnection) request.uri().toURL().openConnection();
        c.setSSLSocketFactory(sockets);
        c.setConnectTimeout((int) connectTimeout.toMillis());
        c.setReadTimeout((int) request.timeout().orElse(Duration.ofMinutes(1)).toMillis());
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setRequestMethod(request.method());
        request.headers().map().forEach((k, vs) -> vs.forEach(v -> c.addRequestProperty(k, v)));
        long length = request.bodyPublisher()
                .map(HttpRequest.BodyPublisher::contentLength)
                .orElse(0L);
        // no body, no output stream: HttpURLConnection would label an empty streamed POST as a form
        if (length != 0) {
            c.setDoOutput(true);
            if (length > 0) {
                c.setFixedLengthStreamingMode(length); // streamed: never sent twice by the JDK
            }
        }
        return c;
    }

    /** Writes the request's body, if it has one, to the connected {@code c}. */
    private static void send(HttpsURLConnection c, HttpRequest request) throws IOException, InterruptedException {
        if (c.getDoOutput()) {
            byte[] body = body(request);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
    }

    private static HttpHeaders headers(HttpsURLConnection c) {
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null) {
                fields.put(k, v);
            }
        });
        return HttpHeaders.of(fields, (k, v) -> true);
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
