package jp.sekisho.client.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.SealResult;

/**
 * The deferred-length half of {@link TusUploader#uploadWhileSealing}: the upload is created with
 * {@code Upload-Defer-Length} before the envelope exists, follows the file while another thread
 * writes it, and sends one chunked PATCH per chunk. Only when the writer is done are the length and
 * SHA-256 known; the PATCH that completes the upload declares them. Whatever is left after a failure
 * goes out from the complete file through {@link TusUploader}'s resume, as a known-length upload's
 * rest does. One instance per upload.
 */
final class DeferredUpload {

    private final TusUploader tus;
    private final Path file;
    private final Arrival arrival;
    /** An earlier run's upload to start again from byte 0 instead of creating one, or null. */
    private final URI rewind;
    /** The gateway took the rewind: from now on its offset is this envelope's. */
    private boolean rewound;

    DeferredUpload(TusUploader tus, Path file, Arrival arrival, URI rewind) {
        this.tus = tus;
        this.file = file;
        this.arrival = arrival;
        this.rewind = rewind;
    }

    /** @return what the gateway stored, or null when it refused the deferred creation (400; nothing created) */
    TusUploader.Result run(Future<SealResult> sealing, long sizeHint, String filename, long records)
            throws InterruptedException {
        URI location = rewind != null ? rewind : create(filename, records);
        if (location == null) {
            return null;
        }
        tus.progress.start(sizeHint, 0);
        long offset;
        IOException broken = null;
        while (true) {
            try {
                offset = stream(location);
                break;
            } catch (Refused r) {
                // the gateway will not start that upload again (gone, or it declared its length): a new one
                tus.terminate(location);
                tus.notice.accept("前回のアップロード " + TusUploader.lastSegment(location) + " は先頭から送り直せません（"
                        + r.status + "）。新しいアップロードで送ります。 the interrupted upload cannot be started again ("
                        + r.status + "): sending on a new upload");
                return new DeferredUpload(tus, file, arrival, null).run(sealing, sizeHint, filename, records);
            } catch (IOException e) {
                if (rewind != null && !rewound) {
                    // until the gateway has taken the rewind, what it holds is the old envelope's: never continue it
                    tus.retryOrThrow(e);
                    continue;
                }
                broken = e;
                offset = -1;
                break;
            }
        }
        String id = TusUploader.lastSegment(location);
        SealResult sealed = sealed(sealing, location); // a failed seal is the error to report
        if (broken != null) {
            tus.retryOrThrow(broken); // the network: resume from what the gateway kept
        }
        long length = sealed.envelopeBytes();
        if (offset < 0) {
            offset = tus.offsetOrStored(location, id, length);
            if (offset < 0) {
                return new TusUploader.Result(id, length, tus.retries());
            }
        }
        String stored = tus.send(file, length, location, id, offset, sealed);
        return new TusUploader.Result(stored, length, tus.retries());
    }

    /** POST with Upload-Defer-Length and no sha256; null when the gateway refuses it with 400 (it predates deferred uploads). */
    private URI create(String filename, long records) throws InterruptedException {
        return tus.post(
                tus.requests
                        .creation()
                        .header("Upload-Defer-Length", "1")
                        .header("Upload-Metadata", TusRequests.metadata(filename, null, records)),
                true);
    }

    /**
     * Sends what the writer wrote, a chunk per PATCH, until it is done and everything it wrote went
     * out. Returns the gateway's offset, or -1 when a PATCH was refused (the caller asks the gateway
     * where it stands).
     */
    private long stream(URI location) throws IOException {
        long offset = 0;
        while (true) {
            FollowingInputStream follow = new FollowingInputStream(file, arrival, 0, offset);
            boolean rewinding = rewind != null && !rewound;
            TusPatch.Answer res = tus.patch.send(
                    location,
                    offset,
                    -1,
                    tus.interceptor.wrap(offset, limited(follow, tus.chunkSize)),
                    null,
                    null,
                    rewinding);
            if (rewinding) {
                rewound(res);
            }
            if (res.status() != 204) {
                if (res.status() == 409 || TusRequests.TRANSIENT.contains(res.status())) {
                    return -1; // ask the gateway where it stands, once the seal is done
                }
                throw GatewayClient.problem(new GatewayClient.Response(res.status(), res.body()));
            }
            long now = res.uploadOffset() == null ? -1 : Long.parseLong(res.uploadOffset());
            if (now != follow.position()) {
                return -1;
            }
            tus.backoff.succeeded();
            tus.progress.update(now);
            offset = now;
            if (arrival.await(offset, 0) < 0) {
                return offset; // the seal is done and all it wrote went out
            }
        }
    }

    /**
     * The answer to the PATCH that starts {@link #rewind} again: taken (204), refused for good (404
     * gone, 409 OFFSET_MISMATCH: it declared its length, 400: a gateway without rewinds) or worth a
     * retry (another PATCH still in progress, 5xx).
     */
    private void rewound(TusPatch.Answer res) throws IOException {
        if (res.status() == 204) {
            rewound = true;
            return;
        }
        boolean busy = res.status() == 409 && res.body() != null && res.body().contains("UPLOAD_IN_PROGRESS");
        if (res.status() == 400 || res.status() == 404 || res.status() == 410 || (res.status() == 409 && !busy)) {
            throw new Refused(res.status());
        }
        if (busy || TusRequests.TRANSIENT.contains(res.status())) {
            throw new IOException("the gateway answered " + res.status() + " to starting " + rewind + " again");
        }
        throw GatewayClient.problem(new GatewayClient.Response(res.status(), res.body()));
    }

    /** The gateway refused to start the earlier upload again; nothing of this run went to it. */
    private static final class Refused extends IOException {
        final int status;

        Refused(int status) {
            super("rewind refused: " + status);
            this.status = status;
        }
    }

    /** Ends a chunk at {@code max} bytes: the file keeps growing, so its end cannot. */
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
        tus.terminate(location);
    }
}
