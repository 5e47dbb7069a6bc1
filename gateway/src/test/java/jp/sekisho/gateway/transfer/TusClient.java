package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A small tus 1.0.0 client over the JDK HttpClient (and a raw TLS socket to break a PATCH on purpose). */
final class TusClient {

    final String base; // https://127.0.0.1:PORT
    final SSLContext ssl;
    final HttpClient http;

    TusClient(String base, SSLContext ssl) {
        this.base = base;
        this.ssl = ssl;
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 20];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Upload-Metadata; {@code sha256} null leaves it out (for a PATCH to declare). */
    static String metadata(String filename, String sha256, long records) {
        return "filename " + b64(filename) + (sha256 == null ? "" : ",sha256 " + b64(sha256)) + ",records "
                + b64(Long.toString(records));
    }

    HttpResponse<String> create(String route, long length, String metadata) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/routes/" + route + "/uploads"))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", Long.toString(length))
                        .header("Upload-Metadata", metadata)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** tus creation-defer-length: the length is declared by a later PATCH. */
    HttpResponse<String> createDeferred(String route, String metadata) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/routes/" + route + "/uploads"))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Defer-Length", "1")
                        .header("Upload-Metadata", metadata)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** PATCH of {@code body} (may be empty) with extra headers such as Upload-Length and Sekisho-Envelope-Sha256. */
    HttpResponse<String> patch(String location, long offset, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + location))
                .timeout(Duration.ofMinutes(5))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Long.toString(offset))
                .header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An answer read from HttpURLConnection. */
    record Answer(int status, java.util.Map<String, java.util.List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> name.equalsIgnoreCase(e.getKey()))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /**
     * PATCH of bytes [from, to) of the file as POST with X-HTTP-Method-Override and a chunked body
     * (HttpURLConnection's chunked streaming mode): what a client does that seals while it uploads.
     */
    Answer chunkedPatch(String location, Path file, long from, long to, String... headers) throws Exception {
        javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection)
                URI.create(base + location).toURL().openConnection();
        c.setSSLSocketFactory(ssl.getSocketFactory());
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setChunkedStreamingMode(64 * 1024);
        c.setRequestProperty("X-HTTP-Method-Override", "PATCH");
        c.setRequestProperty("Tus-Resumable", "1.0.0");
        c.setRequestProperty("Upload-Offset", Long.toString(from));
        c.setRequestProperty("Content-Type", "application/offset+octet-stream");
        for (int i = 0; i < headers.length; i += 2) {
            c.setRequestProperty(headers[i], headers[i + 1]);
        }
        try (OutputStream out = c.getOutputStream();
                InputStream in = slice(file, from, to)) {
            byte[] buf = new byte[50_000]; // not a multiple of the chunk size: chunks of odd lengths
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        }
        int status = c.getResponseCode();
        InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
        return new Answer(status, c.getHeaderFields(), text);
    }

    HttpResponse<String> head(String location) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + location))
                        .header("Tus-Resumable", "1.0.0")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    long offset(String location) throws Exception {
        HttpResponse<String> r = head(location);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HEAD " + r.statusCode() + " " + r.body());
        }
        return Long.parseLong(r.headers().firstValue("Upload-Offset").orElseThrow());
    }

    /** PATCH bytes [from, to) of the file, streamed from disk; checksum header when asked. */
    HttpResponse<String> patch(String location, Path file, long from, long to, boolean checksum) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + location))
                .timeout(Duration.ofMinutes(5))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Long.toString(from))
                .header("Content-Type", "application/offset+octet-stream")
                .method(
                        "PATCH",
                        HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> slice(file, from, to)), to - from));
        if (checksum) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = slice(file, from, to)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            b.header("Upload-Checksum", "sha256 " + Base64.getEncoder().encodeToString(md.digest()));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> patchBytes(String location, long offset, byte[] body, String checksumHeader) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + location))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Long.toString(offset))
                .header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body));
        if (checksumHeader != null) {
            b.header("Upload-Checksum", checksumHeader);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Uploads the whole file from the server's offset in PATCHes of {@code chunk} bytes; returns the last answer. */
    HttpResponse<String> upload(String location, Path file, long chunk) throws Exception {
        long size = Files.size(file);
        long off = offset(location);
        HttpResponse<String> last = null;
        while (off < size) {
            long to = Math.min(size, off + chunk);
            last = patch(location, file, off, to, false);
            if (last.statusCode() != 204) {
                return last;
            }
            off = Long.parseLong(last.headers().firstValue("Upload-Offset").orElseThrow());
        }
        return last;
    }

    /**
     * Starts a PATCH of [from, from+declared) on a raw TLS socket, sends only {@code send} bytes of
     * it, then ends the connection: an interrupted upload. Returns once the gateway has closed the
     * connection on its side, so it has read every byte that was sent. (Closing at once would not do:
     * a socket closed with unread input, such as TLS 1.3 session tickets, is reset, and a reset may
     * discard bytes the gateway has not read yet.)
     */
    void brokenPatch(int port, String location, Path file, long from, long declared, long send) throws Exception {
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                            + "Upload-Offset: " + from + "\r\nContent-Type: application/offset+octet-stream\r\n"
                            + "Content-Length: " + declared + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = slice(file, from, from + send)) {
                in.transferTo(out);
            }
            out.flush();
            s.shutdownOutput(); // close_notify and FIN right after the last byte: the body ends short
            try {
                s.getInputStream().transferTo(OutputStream.nullOutputStream()); // until the gateway closes
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the gateway kept a PATCH whose body broke off open for 30 s", e);
            } catch (IOException closed) {
                // a reset or an aborted TLS session: closed as well
            }
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<InputStream> download(String path, Long from) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMinutes(5))
                .GET();
        if (from != null) {
            b.header("Range", "bytes=" + from + "-");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static InputStream slice(Path file, long from, long to) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(from);
            InputStream raw = java.nio.channels.Channels.newInputStream(ch);
            return new InputStream() {
                long left = to - from;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = raw.read();
                    left--;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = raw.read(b, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    raw.close();
                }
            };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
