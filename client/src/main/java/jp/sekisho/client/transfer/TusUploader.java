package jp.sekisho.client.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import javax.net.ssl.HttpsURLConnection;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.SealResult;

/**
 * Uploads one envelope file with tus 1.0.0 (creation, checksum), as docs/transfer-protocol.md
 * describes: {@code POST} with the metadata, then {@code PATCH} chunks streamed from the file,
 * optionally each with its SHA-256 in {@code Upload-Checksum}. Never more than one 256 KiB buffer of
 * the file is in memory.
 *
 * <p>Chunk checksums are off by default: they cost a read and a hash of every chunk before it is
 * sent, TLS already protects the bytes in transit, and the gateway checks the whole envelope's
 * SHA-256 (declared at creation) before it stores anything. Without them the gateway also keeps
 * what arrived of a PATCH that broke off, so a resume sends less again.
 *
 * <p>Resume: after a network failure, a 5xx answer, {@code 409 OFFSET_MISMATCH} or
 * {@code 460 CHECKSUM_MISMATCH}, it waits ({@link Backoff}), asks the gateway where the upload
 * stands ({@code HEAD} → {@code Upload-Offset}, the bytes it durably wrote) and continues from
 * there. Every chunk that gets through resets the backoff. When the answer to the completing PATCH
 * was lost, {@code GET .../transfers/{id}} tells whether the gateway stored the transfer.
 */
public final class TusUploader {

    public static final String TUS_VERSION = "1.0.0";
    public static final long DEFAULT_CHUNK = 256L * 1024 * 1024;

    /** What the gateway stored. */
    public record Result(String transferId, long bytes, int retries) {
    }

    /** Wraps the stream of a chunk about to be sent; tests use it to cut a transfer off mid-chunk. */
    public interface ChunkInterceptor {
        InputStream wrap(long offset, InputStream chunk) throws IOException;
    }

    private static final Set<Integer> TRANSIENT = Set.of(500, 502, 503, 504);

    private final GatewayClient client;
    private final String route;
    private final long chunkSize;
    private final Backoff backoff;
    private final Progress progress;
    private ChunkInterceptor interceptor = (offset, chunk) -> chunk;
    private boolean chunkChecksums;
    private int retries;
    /** Set on an upload created with Upload-Defer-Length: every PATCH then declares length and hash. */
    private boolean deferred;
    private String sha256;

    public TusUploader(GatewayClient client, String route, long chunkSize, Backoff backoff, Progress progress) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        this.client = client;
        this.route = route;
        this.chunkSize = chunkSize;
        this.backoff = backoff;
        this.progress = progress;
    }

    /** Sends {@code Upload-Checksum} with every chunk (a chunk that arrives damaged is refused and resent). */
    public TusUploader chunkChecksums(boolean on) {
        this.chunkChecksums = on;
        return this;
    }

    public TusUploader intercept(ChunkInterceptor i) {
        this.interceptor = i;
        return this;
    }

    private String uploads() {
        return "api/v1/routes/" + Paths.segment(route) + "/uploads";
    }

    /** Creates the upload and sends the whole file; returns once the gateway answered STORED. */
    public Result upload(Path envelope, long length, String filename, String sha256Hex, long records) {
        try {
            URI location = create(length, filename, sha256Hex, records);
            String id = lastSegment(location);
            String stored = send(envelope, length, location, id, 0);
            return new Result(stored, length, retries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted");
        }
    }

    /**
     * Uploads an envelope while another thread still seals it into {@code file}: the upload is
     * created with {@code Upload-Defer-Length} and no {@code sha256}, the bytes go out in chunked
     * PATCHes as {@code arrival} publishes them, and once {@code sealing} is done the PATCH that
     * completes the upload declares {@code Upload-Length} and {@code Sekisho-Envelope-Sha256}. After
     * any failure it waits for the seal and resumes from the gateway's offset as {@link #upload} does,
     * from the then complete file.
     *
     * @return what the gateway stored, or null when the gateway does not take deferred uploads (400
     *         at creation; nothing was created): the caller uploads the sealed file the usual way
     */
    public Result uploadWhileSealing(Path file, Arrival arrival, Future<SealResult> sealing, long sizeHint,
                                     String filename, long records) {
        try {
            URI location = createDeferred(filename, records);
            if (location == null) {
                return null;
            }
            deferred = true;
            String id = lastSegment(location);
            progress.start(sizeHint, 0);
            long offset;
            IOException broken = null;
            try {
                offset = streamWhileSealing(file, arrival, location);
            } catch (IOException e) {
                broken = e;
                offset = -1;
            }
            SealResult sealed = sealed(sealing, location); // a failed seal is the error to report
            if (broken != null) {
                retryOrThrow(broken); // the network: resume from what the gateway kept
            }
            long length = sealed.envelopeBytes();
            this.sha256 = sealed.envelopeSha256();
            if (offset < 0) {
                offset = offsetOrStored(location, id, length);
                if (offset < 0) {
                    return new Result(id, length, retries);
                }
            }
            String stored = send(file, length, location, id, offset);
            return new Result(stored, length, retries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted");
        }
    }

    /**
     * Sends what the seal writes, a chunk per PATCH, until the seal is done and everything it wrote
     * went out. Returns the gateway's offset, or -1 when a PATCH was refused (the caller asks the
     * gateway where it stands).
     */
    private long streamWhileSealing(Path file, Arrival arrival, URI location) throws IOException {
        long offset = 0;
        while (true) {
            FollowingInputStream follow = new FollowingInputStream(file, arrival, 0, offset);
            PatchAnswer res = patch(location, offset, -1, interceptor.wrap(offset, limited(follow, chunkSize)), -1, null);
            if (res.status() != 204) {
                if (res.status() == 409 || TRANSIENT.contains(res.status())) {
                    return -1; // ask the gateway where it stands, once the seal is done
                }
                throw GatewayClient.problem(new GatewayClient.Response(res.status(), res.body()));
            }
            long now = res.uploadOffset() == null ? -1 : Long.parseLong(res.uploadOffset());
            if (now != follow.position()) {
                return -1;
            }
            backoff.succeeded();
            progress.update(now);
            offset = now;
            if (arrival.await(offset, 0) < 0) {
                return offset; // the seal is done and all it wrote went out
            }
        }
    }

    private static InputStream limited(InputStream in, long max) {
        return new FilterInputStream(in) {
            long left = max;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    /** The seal's result; a failed seal ends the upload on the gateway (tus termination) and is rethrown. */
    private SealResult sealed(Future<SealResult> sealing, URI location) throws InterruptedException {
        try {
            return sealing.get();
        } catch (ExecutionException e) {
            terminate(location);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void terminate(URI location) {
        try {
            client.exchange(HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(10))
                    .header("Tus-Resumable", TUS_VERSION).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException | InterruptedException | RuntimeException ignored) {
            // best effort: an abandoned upload expires on the gateway after 24 h
        }
    }

    /** POST with Upload-Defer-Length; null when the gateway refuses it with 400 (it predates deferred uploads). */
    private URI createDeferred(String filename, long records) throws InterruptedException {
        return post(creation().header("Upload-Defer-Length", "1")
                .header("Upload-Metadata", metadata(filename, null, records)), true);
    }

    /** tus Upload-Metadata; {@code sha256Hex} null leaves the hash out (a deferred upload declares it last). */
    static String metadata(String filename, String sha256Hex, long records) {
        Base64.Encoder b64 = Base64.getEncoder();
        return "filename " + b64.encodeToString(filename.getBytes(StandardCharsets.UTF_8))
                + (sha256Hex == null ? "" : ",sha256 " + b64.encodeToString(sha256Hex.getBytes(StandardCharsets.US_ASCII)))
                + ",records " + b64.encodeToString(Long.toString(records).getBytes(StandardCharsets.US_ASCII));
    }

    URI create(long length, String filename, String sha256Hex, long records) throws InterruptedException {
        return post(creation().header("Upload-Length", Long.toString(length))
                .header("Upload-Metadata", metadata(filename, sha256Hex, records)), false);
    }

    private HttpRequest.Builder creation() {
        return HttpRequest.newBuilder(client.resolve(uploads())).timeout(Duration.ofSeconds(60))
                .header("Tus-Resumable", TUS_VERSION).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    /** Creates the upload, retrying network failures and 5xx; with {@code nullOn400}, a 400 gives null. */
    private URI post(HttpRequest.Builder request, boolean nullOn400) throws InterruptedException {
        HttpRequest req = request.build();
        while (true) {
            HttpResponse<String> res;
            try {
                res = client.exchange(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                retryOrThrow(e);
                continue;
            }
            if (res.statusCode() == 201) {
                String loc = res.headers().firstValue("Location").orElseThrow(() -> new CliException(
                        ExitCode.UNAVAILABLE, "the gateway created the upload but gave no Location"));
                backoff.succeeded();
                return client.resolve(loc);
            }
            if (nullOn400 && res.statusCode() == 400) {
                return null;
            }
            if (TRANSIENT.contains(res.statusCode()) && retryable()) {
                continue;
            }
            throw GatewayClient.problem(new GatewayClient.Response(res.statusCode(), res.body()));
        }
    }

    private String send(Path file, long length, URI location, String id, long offset) throws InterruptedException {
        progress.start(length, offset);
        if (length == 0 && !deferred) {
            // An empty upload is complete on creation; nothing to PATCH.
            return stored(location, id, length);
        }
        while (true) {
            long n = Math.min(chunkSize, length - offset);
            PatchAnswer res;
            try {
                res = patch(file, location, offset, n, length);
            } catch (IOException e) {
                retryOrThrow(e);
                offset = offsetOrStored(location, id, length);
                if (offset < 0) {
                    return id;
                }
                continue;
            }
            int status = res.status();
            if (status == 204) {
                long now = res.uploadOffset() != null ? Long.parseLong(res.uploadOffset()) : offset + n;
                backoff.succeeded();
                progress.update(now);
                if (now >= length) {
                    progress.finish(now);
                    return res.transferId() != null ? res.transferId() : id;
                }
                offset = now;
            } else if ((status == 409 || status == 460 || TRANSIENT.contains(status)) && retryable()) {
                offset = offsetOrStored(location, id, length);
                if (offset < 0) {
                    return id;
                }
            } else {
                progress.finish(offset);
                throw GatewayClient.problem(new GatewayClient.Response(status, res.body()));
            }
        }
    }

    /** What the gateway answered to one PATCH. */
    private record PatchAnswer(int status, String uploadOffset, String transferId, String body) {
    }

    /**
     * Sends one chunk. The body goes through {@link HttpsURLConnection} with fixed-length streaming,
     * which moves bulk data over TLS about three times faster than the JDK HttpClient; since
     * HttpURLConnection has no PATCH, the request is a POST with {@code X-HTTP-Method-Override:
     * PATCH}, which the gateway accepts as tus clients on such stacks need.
     */
    private PatchAnswer patch(Path file, URI location, long offset, long n, long length) throws IOException {
        byte[] digest = chunkChecksums ? FileRegion.digest(file, offset, n) : null;
        return patch(location, offset, n, interceptor.wrap(offset, FileRegion.open(file, offset, n)),
                deferred ? length : -1, digest);
    }

    /** A PATCH of {@code n} bytes, or of what {@code body} gives until its end when {@code n} is -1 (chunked). */
    private PatchAnswer patch(URI location, long offset, long n, InputStream body, long declareLength, byte[] digest)
            throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) location.toURL().openConnection();
        try (InputStream in = counting(body, offset)) {
            c.setSSLSocketFactory(client.socketFactory());
            c.setConnectTimeout(10_000);
            c.setReadTimeout((int) Duration.ofMinutes(10).toMillis());
            c.setRequestMethod("POST");
            c.setRequestProperty("X-HTTP-Method-Override", "PATCH");
            c.setRequestProperty("Tus-Resumable", TUS_VERSION);
            c.setRequestProperty("Content-Type", "application/offset+octet-stream");
            c.setRequestProperty("Upload-Offset", Long.toString(offset));
            if (declareLength >= 0) {
                // a deferred upload: length and hash are known now; the gateway accepts them again unchanged
                c.setRequestProperty("Upload-Length", Long.toString(declareLength));
                c.setRequestProperty("Sekisho-Envelope-Sha256", sha256);
            }
            if (digest != null) {
                c.setRequestProperty("Upload-Checksum", "sha256 " + Base64.getEncoder().encodeToString(digest));
            }
            c.setRequestProperty("Accept", "application/json");
            c.setDoOutput(true);
            if (n >= 0) {
                c.setFixedLengthStreamingMode(n);
            } else {
                c.setChunkedStreamingMode(BODY_BUFFER);
            }
            byte[] buf = new byte[BODY_BUFFER];
            try (OutputStream out = c.getOutputStream()) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    out.write(buf, 0, r);
                }
            }
            int status = c.getResponseCode();
            InputStream answer = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String text = "";
            if (answer != null) {
                try (answer) {
                    text = new String(answer.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new PatchAnswer(status, c.getHeaderField("Upload-Offset"), c.getHeaderField("Sekisho-Transfer-Id"), text);
        } catch (IOException e) {
            c.disconnect(); // a broken connection must not go back to the keep-alive cache
            throw e;
        }
    }

    private static final int BODY_BUFFER = 1 << 18;

    private InputStream counting(InputStream in, long offset) {
        return new FilterInputStream(in) {
            long done = offset;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int r = super.read(b, off, len);
                if (r > 0) {
                    done += r;
                    progress.update(done);
                }
                return r;
            }
        };
    }

    /**
     * Where to go on after a failure: the gateway's offset, or -1 when the upload is already complete
     * and the transfer stored (the answer to the completing PATCH was lost).
     */
    private long offsetOrStored(URI location, String id, long length) throws InterruptedException {
        while (true) {
            HttpResponse<String> res;
            try {
                res = client.exchange(HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(60))
                        .header("Tus-Resumable", TUS_VERSION)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                retryOrThrow(e);
                continue;
            }
            if (res.statusCode() == 200 || res.statusCode() == 204) {
                long offset = res.headers().firstValue("Upload-Offset").map(Long::parseLong).orElse(0L);
                if (offset < length) {
                    return offset;
                }
                stored(location, id, length);
                return -1;
            }
            if (res.statusCode() == 404) {
                stored(location, id, length);
                return -1;
            }
            if (TRANSIENT.contains(res.statusCode()) && retryable()) {
                continue;
            }
            throw GatewayClient.problem(new GatewayClient.Response(res.statusCode(), res.body()));
        }
    }

    /** Confirms through the transfer's state that the gateway stored it; otherwise a refusal with the state. */
    private String stored(URI location, String id, long length) {
        GatewayClient.Response r = client.get("api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(id));
        Map<String, Object> t = r.object();
        String state = String.valueOf(t.get("state"));
        if (Set.of("STORED", "DELIVERED", "ACKNOWLEDGED", "PURGED").contains(state)) {
            progress.finish(length);
            return id;
        }
        throw new CliException(ExitCode.REFUSED, "TRANSFER_" + state + ": the gateway did not store transfer " + id
                + Optional.ofNullable(t.get("reason")).map(x -> " (" + x + ")").orElse(""));
    }

    private boolean retryable() throws InterruptedException {
        retries++;
        return backoff.failed();
    }

    private void retryOrThrow(IOException e) throws InterruptedException {
        if (!GatewayClient.retryable(e) || !retryable()) {
            throw client.unavailable(e);
        }
    }

    static String lastSegment(URI location) {
        String p = location.getPath();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    public int retries() {
        return retries;
    }
}
