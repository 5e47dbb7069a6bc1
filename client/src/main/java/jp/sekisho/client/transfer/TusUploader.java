package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;
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
 *
 * <p>This class holds the creation, the chunk loop and the resume that both kinds of upload share;
 * {@link TusPatch} sends one PATCH and {@link DeferredUpload} follows a file still being sealed.
 */
public final class TusUploader {

    public static final String TUS_VERSION = "1.0.0";
    public static final long DEFAULT_CHUNK = 256L * 1024 * 1024;

    /** What the gateway stored. */
    public record Result(String transferId, long bytes, int retries) {}

    /**
     * The upload is gone from the gateway (404) and its transfer was not stored: it was rejected,
     * expired or aborted. A run that resumes an earlier one's upload starts afresh on this.
     */
    public static final class Gone extends CliException {
        private final String state;

        Gone(String transferId, String state, Object reason) {
            super(
                    ExitCode.REFUSED,
                    "TRANSFER_" + state + ": the gateway did not store transfer " + transferId
                            + (reason == null ? "" : " (" + reason + ")"));
            this.state = state;
        }

        /** The transfer's state on the gateway ({@code UNKNOWN} when it has no such transfer). */
        public String state() {
            return state;
        }
    }

    /** What {@code HEAD} told of an upload: its offset, whether its length is declared, and whether it is stored. */
    record Head(long offset, boolean lengthDeclared, boolean stored) {}

    /** Wraps the stream of a chunk about to be sent; tests use it to cut a transfer off mid-chunk. */
    public interface ChunkInterceptor {
        InputStream wrap(long offset, InputStream chunk) throws IOException;
    }

    static final Set<Integer> TRANSIENT = Set.of(500, 502, 503, 504);

    // package-private for DeferredUpload, which shares them
    final GatewayClient client;
    final long chunkSize;
    final Backoff backoff;
    final Progress progress;
    final TusPatch patch;
    ChunkInterceptor interceptor = (offset, chunk) -> chunk;
    /** Told the upload's URL as soon as the gateway created it, before any byte is sent. */
    Consumer<URI> onCreated = u -> {};
    /** One-line notices for the person waiting (Japanese first, then English). */
    Consumer<String> notice = m -> {};
    /** How long to wait for a gateway that holds every byte but has not finished checking the envelope. */
    Duration checkWait = Duration.ofMinutes(2);

    private final String route;
    private boolean chunkChecksums;
    private int retries;

    public TusUploader(GatewayClient client, String route, long chunkSize, Backoff backoff, Progress progress) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        this.client = client;
        this.route = route;
        this.chunkSize = chunkSize;
        this.backoff = backoff;
        this.progress = progress;
        this.patch = new TusPatch(client, progress);
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

    /** Calls {@code c} with the upload's URL once the gateway created it, before the first PATCH. */
    public TusUploader onCreated(Consumer<URI> c) {
        this.onCreated = c;
        return this;
    }

    public TusUploader notices(Consumer<String> n) {
        this.notice = n;
        return this;
    }

    TusUploader checkWait(Duration d) {
        this.checkWait = d;
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
            String stored = send(envelope, length, location, id, 0, null);
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
    public Result uploadWhileSealing(
            Path file, Arrival arrival, Future<SealResult> sealing, long sizeHint, String filename, long records) {
        try {
            return new DeferredUpload(this, file, arrival).run(sealing, sizeHint, filename, records);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted");
        }
    }

    /**
     * Continues an upload an earlier run created, from the complete envelope file: {@code HEAD} for
     * the gateway's offset, then the rest, declaring length and hash (a deferred upload needs them; a
     * fixed one accepts the same values again). An upload the gateway already stored gives its
     * transfer at once.
     *
     * @throws Gone when the gateway no longer has the upload and did not store it
     */
    public Result resume(Path envelope, URI location, SealResult sealed) {
        String id = lastSegment(location);
        long length = sealed.envelopeBytes();
        try {
            long offset = offsetOrStored(location, id, length);
            if (offset < 0) {
                return new Result(id, length, retries);
            }
            notice.accept("前回の送信を続けます（転送 " + id + "、" + offset + " / " + length + " バイト送信済み）。 resuming transfer " + id
                    + " at byte " + offset + " of " + length);
            return new Result(send(envelope, length, location, id, offset, sealed), length, retries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted");
        }
    }

    /** Ends an upload that will not be continued (tus termination); best effort, it expires otherwise. */
    public void terminate(URI location) {
        try {
            client.exchange(
                    HttpRequest.newBuilder(location)
                            .timeout(Duration.ofSeconds(10))
                            .header("Tus-Resumable", TUS_VERSION)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException | RuntimeException ignored) {
            // the gateway deletes an abandoned upload when it expires (24 h after its last PATCH)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** tus Upload-Metadata; {@code sha256Hex} null leaves the hash out (a deferred upload declares it last). */
    static String metadata(String filename, String sha256Hex, long records) {
        Base64.Encoder b64 = Base64.getEncoder();
        return "filename " + b64.encodeToString(filename.getBytes(StandardCharsets.UTF_8))
                + (sha256Hex == null
                        ? ""
                        : ",sha256 " + b64.encodeToString(sha256Hex.getBytes(StandardCharsets.US_ASCII)))
                + ",records " + b64.encodeToString(Long.toString(records).getBytes(StandardCharsets.US_ASCII));
    }

    URI create(long length, String filename, String sha256Hex, long records) throws InterruptedException {
        return post(
                creation()
                        .header("Upload-Length", Long.toString(length))
                        .header("Upload-Metadata", metadata(filename, sha256Hex, records)),
                false);
    }

    /** The creation POST without its length headers, which differ between fixed and deferred uploads. */
    HttpRequest.Builder creation() {
        return HttpRequest.newBuilder(client.resolve(uploads()))
                .timeout(Duration.ofSeconds(60))
                .header("Tus-Resumable", TUS_VERSION)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    /** Creates the upload, retrying network failures and 5xx; with {@code nullOn400}, a 400 gives null. */
    URI post(HttpRequest.Builder request, boolean nullOn400) throws InterruptedException {
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
                String loc = res.headers()
                        .firstValue("Location")
                        .orElseThrow(() -> new CliException(
                                ExitCode.UNAVAILABLE, "the gateway created the upload but gave no Location"));
                backoff.succeeded();
                URI created = client.resolve(loc);
                onCreated.accept(created);
                return created;
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

    /**
     * Sends the file from {@code offset} to {@code length} in fixed-length PATCHes, resuming after
     * failures. {@code declared} is set on a deferred upload: every PATCH then declares its length and hash.
     */
    String send(Path file, long length, URI location, String id, long offset, SealResult declared)
            throws InterruptedException {
        progress.start(length, offset);
        if (length == 0 && declared == null) {
            // An empty upload is complete on creation; nothing to PATCH.
            return stored(id, length);
        }
        while (true) {
            long n = Math.min(chunkSize, length - offset);
            TusPatch.Answer res;
            try {
                res = patch(file, location, offset, n, declared);
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

    /** Sends {@code n} bytes of the file from {@code offset}; the checksum, if on, is read before the chunk. */
    private TusPatch.Answer patch(Path file, URI location, long offset, long n, SealResult declared)
            throws IOException {
        byte[] digest = chunkChecksums ? FileRegion.digest(file, offset, n) : null;
        return patch.send(
                location, offset, n, interceptor.wrap(offset, FileRegion.open(file, offset, n)), declared, digest);
    }

    /**
     * Where to go on after a failure: the gateway's offset, or -1 when the transfer is stored (the
     * answer to the completing PATCH was lost, or an earlier run completed it). An offset equal to
     * {@code length} means the completing PATCH is to be sent (again): the length is not declared
     * yet, or the gateway holds every byte but did not finish its check (it crashed during it) and did
     * not finish it within {@link #checkWait} either.
     *
     * @throws Gone when the upload is gone and its transfer was not stored
     */
    long offsetOrStored(URI location, String id, long length) throws InterruptedException {
        Head h = head(location);
        if (h == null || h.stored()) {
            if (h == null) {
                stored(id, length); // 404: stored (and HEAD predates answering for it) or gone
            }
            progress.finish(length);
            return -1;
        }
        if (h.offset() < length || !h.lengthDeclared()) {
            return Math.min(h.offset(), length);
        }
        return awaitCheck(location, id, length);
    }

    /**
     * The transfer's signed receipt, retrying network failures and 5xx as the upload does: a gateway
     * that restarts right after it stored the upload (kill -9, an update) is waited for, not given up on.
     */
    public String receipt(String id) throws InterruptedException {
        backoff.succeeded(); // the upload is stored: the retries start afresh for this request
        URI uri = client.resolve(transfer(id) + "/receipt");
        while (true) {
            HttpResponse<String> res;
            try {
                res = client.exchange(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(60))
                                .header("Accept", "application/json")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                retryOrThrow(e);
                continue;
            }
            if (res.statusCode() == 200) {
                return res.body();
            }
            if (TRANSIENT.contains(res.statusCode()) && retryable()) {
                continue;
            }
            throw GatewayClient.problem(new GatewayClient.Response(res.statusCode(), res.body()));
        }
    }

    /** {@code HEAD} of the upload, retrying network failures and 5xx; null for 404. */
    private Head head(URI location) throws InterruptedException {
        while (true) {
            HttpResponse<String> res;
            try {
                res = client.exchange(
                        HttpRequest.newBuilder(location)
                                .timeout(Duration.ofSeconds(60))
                                .header("Tus-Resumable", TUS_VERSION)
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                retryOrThrow(e);
                continue;
            }
            if (res.statusCode() == 200 || res.statusCode() == 204) {
                long offset = res.headers()
                        .firstValue("Upload-Offset")
                        .map(Long::parseLong)
                        .orElse(0L);
                return new Head(
                        offset,
                        res.headers().firstValue("Upload-Length").isPresent(),
                        res.headers().firstValue("Sekisho-Transfer-Id").isPresent());
            }
            if (res.statusCode() == 404) {
                return null;
            }
            if (TRANSIENT.contains(res.statusCode()) && retryable()) {
                continue;
            }
            throw GatewayClient.problem(new GatewayClient.Response(res.statusCode(), res.body()));
        }
    }

    /**
     * Every byte is on the gateway and the length declared, but the transfer is still UPLOADING: the
     * gateway stopped during its envelope check and re-runs it (recovery at start-up). Polls the
     * transfer's state until the check ends, for at most {@link #checkWait}; returns -1 when stored,
     * or {@code length} to send the completing PATCH again, which has the gateway check it now.
     */
    private long awaitCheck(URI location, String id, long length) throws InterruptedException {
        notice.accept("ゲートウェイは全バイトを受信済みで、封筒の検査を待っています。 the gateway holds every byte of " + id
                + " and is checking the envelope: waiting up to " + checkWait.toSeconds() + " s");
        long deadline = System.nanoTime() + checkWait.toNanos();
        while (true) {
            String state = transferState(id);
            if (state != null && !state.equals("UPLOADING")) {
                stored(id, length); // STORED and later: done; REJECTED and the like: Gone, with the reason
                return -1;
            }
            if (System.nanoTime() - deadline > 0) {
                return length;
            }
            Thread.sleep(500);
        }
    }

    /** The transfer's state, or null when the gateway cannot say now (network, 5xx). */
    private String transferState(String id) throws InterruptedException {
        try {
            HttpResponse<String> res = client.exchange(
                    HttpRequest.newBuilder(client.resolve(transfer(id)))
                            .timeout(Duration.ofSeconds(30))
                            .header("Accept", "application/json")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200) {
                return String.valueOf(
                        new GatewayClient.Response(200, res.body()).object().get("state"));
            }
            if (TRANSIENT.contains(res.statusCode())) {
                return null;
            }
            throw GatewayClient.problem(new GatewayClient.Response(res.statusCode(), res.body()));
        } catch (IOException e) {
            if (!GatewayClient.retryable(e)) {
                throw client.unavailable(e);
            }
            return null;
        }
    }

    private String transfer(String id) {
        return "api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(id);
    }

    /** Confirms through the transfer's state that the gateway stored it; otherwise {@link Gone} with the state. */
    private String stored(String id, long length) {
        GatewayClient.Response r;
        try {
            r = client.get(transfer(id));
        } catch (CliException e) {
            if (e.getMessage().startsWith("TRANSFER_UNKNOWN") || e.getMessage().startsWith("HTTP_404")) {
                throw new Gone(id, "UNKNOWN", null);
            }
            throw e;
        }
        Map<String, Object> t = r.object();
        String state = String.valueOf(t.get("state"));
        if (Set.of("STORED", "DELIVERED", "ACKNOWLEDGED", "PURGED").contains(state)) {
            progress.finish(length);
            return id;
        }
        throw new Gone(id, state, t.get("reason"));
    }

    /** Counts a retry and waits its delay; false when the retries are used up. */
    private boolean retryable() throws InterruptedException {
        retries++;
        return backoff.failed();
    }

    void retryOrThrow(IOException e) throws InterruptedException {
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
