package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>This class holds the chunk loop, the resume and the retry policy that both kinds of upload
 * share; {@link TusRequests} makes the other exchanges (creation, HEAD, state, receipt) and reads
 * their answers, {@link TusPatch} sends one PATCH and {@link DeferredUpload} follows a file still
 * being sealed.
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

    /** Wraps the stream of a chunk about to be sent; tests use it to cut a transfer off mid-chunk. */
    public interface ChunkInterceptor {
        InputStream wrap(long offset, InputStream chunk) throws IOException;
    }

    // package-private for DeferredUpload, which shares them
    final GatewayClient client;
    final long chunkSize;
    final Backoff backoff;
    final Progress progress;
    final TusPatch patch;
    final TusRequests requests;
    ChunkInterceptor interceptor = (offset, chunk) -> chunk;
    /** Told the upload's URL as soon as the gateway created it, before any byte is sent. */
    Consumer<URI> onCreated = u -> {};
    /** One-line notices for the person waiting (Japanese first, then English). */
    Consumer<String> notice = m -> {};
    /** How long to wait for a gateway that holds every byte but has not finished checking the envelope. */
    Duration checkWait = Duration.ofMinutes(2);

    private boolean chunkChecksums;
    private int retries;

    public TusUploader(GatewayClient client, String route, long chunkSize, Backoff backoff, Progress progress) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        this.client = client;
        this.chunkSize = chunkSize;
        this.backoff = backoff;
        this.progress = progress;
        this.patch = new TusPatch(client, progress);
        this.requests = new TusRequests(client, route);
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

    /** Creates the upload and sends the whole file; returns once the gateway answered STORED. */
    public Result upload(Path envelope, long length, String filename, String sha256Hex, long records) {
        try {
            URI location = create(length, filename, sha256Hex, records);
            String id = lastSegment(location);
            String stored = send(envelope, length, location, id, 0, null);
            return new Result(stored, length, retries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
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
     * @param rewind an earlier run's upload that never declared its length (it was killed while it
     *     sealed), started again from byte 0 with this envelope so the file stays one transfer (a
     *     gateway that will not start it again gets a new upload, the old one ended); null: a new upload
     * @return what the gateway stored, or null when the gateway does not take deferred uploads (400
     *         at creation; nothing was created): the caller uploads the sealed file the usual way
     */
    public Result uploadWhileSealing(
            Path file,
            Arrival arrival,
            Future<SealResult> sealing,
            long sizeHint,
            String filename,
            long records,
            URI rewind) {
        try {
            return new DeferredUpload(this, file, arrival, rewind).run(sealing, sizeHint, filename, records);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        }
    }

    /**
     * Continues an upload an earlier run created, from the complete envelope file: {@code HEAD} for
     * the gateway's offset, then the rest, declaring length and hash (a deferred upload needs them; a
     * fixed one accepts the same values again). An upload the gateway already stored gives its
     * transfer at once.
     *
     * @param checkEnvelope read the whole envelope and compare its SHA-256 with the sealed one before
     *     sending any of it (an envelope that may not have survived a crash of the machine)
     * @throws Gone when the gateway no longer has the upload and did not store it
     * @throws EnvelopeLost when {@code checkEnvelope} finds other bytes than those sealed
     */
    public Result resume(Path envelope, URI location, SealResult sealed, boolean checkEnvelope) {
        String id = lastSegment(location);
        long length = sealed.envelopeBytes();
        try {
            long offset = offsetOrStored(location, id, length);
            if (offset < 0) {
                return new Result(id, length, retries); // stored: not a byte of the envelope is needed
            }
            if (checkEnvelope) {
                EnvelopeLost.check(envelope, sealed);
            }
            notice.accept("前回の送信を続けます（転送 " + id + "、" + offset + " / " + length + " バイト送信済み）。 resuming transfer " + id
                    + " at byte " + offset + " of " + length);
            return new Result(send(envelope, length, location, id, offset, sealed), length, retries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        }
    }

    /** Ends an upload that will not be continued (tus termination); best effort, it expires otherwise. */
    public void terminate(URI location) {
        requests.terminate(location);
    }

    URI create(long length, String filename, String sha256Hex, long records) throws InterruptedException {
        return post(requests.creation(length, filename, sha256Hex, records), false);
    }

    /** Creates the upload, retrying network failures and 5xx; with {@code nullOn400}, a 400 gives null. */
    URI post(HttpRequest.Builder request, boolean nullOn400) throws InterruptedException {
        HttpResponse<String> res = retried(request.build());
        if (nullOn400 && res.statusCode() == 400) {
            return null;
        }
        URI created = requests.created(res);
        backoff.succeeded();
        onCreated.accept(created);
        return created;
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
            } else if ((status == 409 || status == 460 || TusRequests.TRANSIENT.contains(status)) && retryable()) {
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
        TusRequests.Head h = TusRequests.head(retried(requests.head(location)));
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
        HttpResponse<String> res = retried(requests.receipt(id));
        if (res.statusCode() == 200) {
            return res.body();
        }
        throw TusRequests.problem(res);
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
            String state = requests.state(id);
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

    /** Confirms through the transfer's state that the gateway stored it; otherwise {@link Gone} with the state. */
    private String stored(String id, long length) {
        requests.requireStored(id);
        progress.finish(length);
        return id;
    }

    /**
     * Sends {@code request} until an answer other than a transient 5xx comes, retrying network
     * failures too, while the backoff allows; the last answer is returned whatever it is.
     */
    private HttpResponse<String> retried(HttpRequest request) throws InterruptedException {
        while (true) {
            HttpResponse<String> res;
            try {
                res = requests.send(request);
            } catch (IOException e) {
                retryOrThrow(e);
                continue;
            }
            if (!TusRequests.TRANSIENT.contains(res.statusCode()) || !retryable()) {
                return res;
            }
        }
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
