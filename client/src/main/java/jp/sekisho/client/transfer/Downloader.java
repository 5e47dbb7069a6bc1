package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;

import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;

/**
 * Downloads a transfer's envelope into a partial file, resuming with {@code Range: bytes=N-} from
 * what is already there (after an interruption, or a previous run), and computes its SHA-256 on the
 * way: the bytes already on disk are hashed first, then every byte as it is written. Network
 * failures and 5xx answers are retried with backoff.
 */
public final class Downloader {

    private static final Set<Integer> TRANSIENT = Set.of(500, 502, 503, 504);

    private final GatewayClient client;
    private final String route;
    private final Backoff backoff;
    private final Progress progress;

    public Downloader(GatewayClient client, String route, Backoff backoff, Progress progress) {
        this.client = client;
        this.route = route;
        this.backoff = backoff;
        this.progress = progress;
    }

    /** Completes {@code partial} to {@code size} bytes and returns the SHA-256 (hex) of all of it. */
    public String download(String transferId, long size, Path partial) {
        try {
            return run(transferId, size, partial);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted");
        } catch (IOException e) {
            throw CliException.usage("cannot write " + partial + ": " + e.getMessage());
        }
    }

    private String run(String id, long size, Path partial) throws IOException, InterruptedException {
        if (Files.exists(partial) && Files.size(partial) > size) {
            Files.delete(partial); // not a prefix of this transfer: start over
        }
        MessageDigest md = FileRegion.sha256();
        long have = 0;
        if (Files.exists(partial)) {
            have = Files.size(partial);
            try (InputStream in = Files.newInputStream(partial)) {
                FileRegion.update(md, in);
            }
        }
        progress.start(size, have);
        String path = "api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(id) + "/payload";
        while (have < size) {
            HttpRequest.Builder b = HttpRequest.newBuilder(client.resolve(path)).timeout(Duration.ofMinutes(10)).GET()
                    .header("Accept", "application/cms");
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> res;
            try {
                res = client.exchange(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                retryOrThrow(e);
                continue;
            }
            int status = res.statusCode();
            if (status == 200 || status == 206) {
                if (status == 200 && have > 0) { // the range was ignored: the whole envelope comes again
                    md.reset();
                    have = 0;
                    Files.deleteIfExists(partial);
                } else if (status == 206) {
                    String range = res.headers().firstValue("Content-Range").orElse("");
                    if (!range.startsWith("bytes " + have + "-")) {
                        res.body().close();
                        throw new CliException(ExitCode.UNAVAILABLE, "the gateway answered range '" + range
                                + "' to a request from byte " + have);
                    }
                }
                long before = have;
                try (InputStream in = res.body();
                     FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             StandardOpenOption.APPEND)) {
                    byte[] buf = new byte[FileRegion.BUFFER];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (have + n > size) {
                            throw new CliException(ExitCode.UNAVAILABLE, "the gateway sent more than the " + size
                                    + " bytes of transfer " + id);
                        }
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                        while (bb.hasRemaining()) {
                            ch.write(bb);
                        }
                        md.update(buf, 0, n);
                        have += n;
                        progress.update(have);
                    }
                } catch (IOException e) {
                    // what was written stays, hashed; resume from there
                    retryOrThrow(e);
                    continue;
                }
                if (have > before) {
                    backoff.succeeded();
                }
                if (have < size && !retry()) {
                    throw new CliException(ExitCode.UNAVAILABLE, "the download of transfer " + id + " keeps ending early at "
                            + have + " of " + size + " bytes");
                }
            } else if (status == 416 && have == size) {
                res.body().close();
                break;
            } else if (TRANSIENT.contains(status) && retry()) {
                res.body().close();
            } else {
                String body;
                try (InputStream in = res.body()) {
                    body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                }
                throw GatewayClient.problem(new GatewayClient.Response(status, body));
            }
        }
        progress.finish(have);
        return HexFormat.of().formatHex(md.digest());
    }

    private boolean retry() throws InterruptedException {
        return backoff.failed();
    }

    private void retryOrThrow(IOException e) throws InterruptedException {
        if (!GatewayClient.retryable(e) || !backoff.failed()) {
            throw client.unavailable(e);
        }
    }
}
