package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;

/**
 * Downloads a transfer's envelope into a partial file, resuming with {@code Range: bytes=N-} from
 * what is already there (after an interruption, or a previous run). Network failures and 5xx
 * answers are retried with backoff. The SHA-256 is not taken here: this thread is the hand-off's
 * busiest (TLS, the write), so the reader that follows the file hashes it ({@link ReceivePipeline}).
 *
 * <p>The body comes through {@link HttpsURLConnection}, which moves bulk data over TLS about three
 * times faster than the JDK HttpClient (as {@link TusUploader} does for uploads).
 */
public final class Downloader {

    /** Hears how far the partial file is written, so that another thread can read it meanwhile. */
    public interface Listener {
        /** {@code onDisk} bytes from an earlier attempt are kept; the download appends after them. */
        void started(long onDisk);

        /** The partial file was emptied: the envelope comes again from its first byte. */
        void restarted();

        /** The file now holds {@code total} bytes. */
        void wrote(long total);
    }

    private static final Set<Integer> TRANSIENT = Set.of(500, 502, 503, 504);
    private static final int BUFFER = 256 * 1024;

    private final GatewayClient client;
    private final SSLSocketFactory sockets;
    private final String route;
    private final Backoff backoff;
    private final Progress progress;

    public Downloader(GatewayClient client, String route, Backoff backoff, Progress progress) {
        this.client = client;
        this.sockets = client.socketFactory(); // one factory: the keep-alive cache is keyed by it
        this.route = route;
        this.backoff = backoff;
        this.progress = progress;
    }

    /** Completes {@code partial} to {@code size} bytes, telling {@code listener} about every write. */
    public void download(String transferId, long size, Path partial, Listener listener) {
        boolean completed = false;
        try {
            run(transferId, size, partial, listener);
            completed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        } catch (IOException e) {
            throw cannotWrite(partial, e);
        } catch (UncheckedIOException e) {
            throw cannotWrite(partial, e.getCause());
        } finally {
            if (!completed) {
                deleteIfEmpty(partial);
            }
        }
    }

    /** A refused or failed download that got no byte leaves no file behind. */
    private static void deleteIfEmpty(Path partial) {
        try {
            if (Files.size(partial) == 0) {
                Files.delete(partial);
            }
        } catch (IOException ignored) {
            // gone already, or unreadable: nothing to tidy
        }
    }

    private void run(String id, long size, Path partial, Listener listener) throws IOException, InterruptedException {
        if (Files.exists(partial) && Files.size(partial) > size) {
            Files.delete(partial); // not a prefix of this transfer: start over
        }
        try (FileChannel file = FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            long have = file.size();
            listener.started(have); // a follower reads these first
            progress.start(size, have);
            URL url = client.resolve(
                            "api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(id) + "/payload")
                    .toURL();
            byte[] buf = new byte[BUFFER];
            while (have < size) {
                HttpsURLConnection c = connection(url, have);
                int status;
                try {
                    status = c.getResponseCode();
                } catch (IOException e) {
                    c.disconnect();
                    retryOrThrow(e);
                    continue;
                }
                if (status == 200 || status == 206) {
                    if (status == 200 && have > 0) { // the range was ignored: the whole envelope comes again
                        have = 0;
                        listener.restarted();
                        file.truncate(0);
                    } else if (status == 206) {
                        String range = Objects.requireNonNullElse(c.getHeaderField("Content-Range"), "");
                        if (!range.startsWith("bytes " + have + "-")) {
                            c.disconnect();
                            throw new CliException(
                                    ExitCode.UNAVAILABLE,
                                    "ゲートウェイが要求と違う範囲を返しました。 the gateway answered range '" + range
                                            + "' to a request from byte " + have + ". 次に: 後でもう一度受信してください。"
                                            + " next: receive again later; if it repeats, tell the gateway's operator.");
                        }
                    }
                    long before = have;
                    try (InputStream in = c.getInputStream()) {
                        int n;
                        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                            if (have + n > size) {
                                throw new CliException(
                                        ExitCode.UNAVAILABLE,
                                        "ゲートウェイが一覧の大きさを超えて送ってきました。 the gateway sent more than the "
                                                + size + " bytes of transfer " + id + ". 次に: ゲートウェイの運用者に"
                                                + "知らせてください。 next: tell the gateway's operator.");
                            }
                            append(file, buf, n);
                            have += n;
                            listener.wrote(have);
                            progress.update(have);
                        }
                    } catch (IOException e) {
                        // what was written stays; resume from there
                        c.disconnect(); // a broken connection must not go back to the keep-alive cache
                        retryOrThrow(e);
                        continue;
                    } catch (RuntimeException e) {
                        c.disconnect();
                        throw e;
                    }
                    if (have > before) {
                        backoff.succeeded();
                    }
                    if (have < size && !retry()) {
                        throw new CliException(
                                ExitCode.UNAVAILABLE,
                                "ダウンロードが途中で切れ続けます。 the download of transfer " + id
                                        + " keeps ending early at " + have + " of " + size + " bytes. 次に: 後でもう一度"
                                        + "受信してください（続きから再開します）。 next: receive again later; it resumes"
                                        + " from there.");
                    }
                } else if (status == 416 && have == size) {
                    errorBody(c);
                    break;
                } else if (TRANSIENT.contains(status) && retry()) {
                    errorBody(c);
                } else {
                    throw GatewayClient.problem(new GatewayClient.Response(status, errorBody(c)));
                }
            }
            progress.finish(have);
        }
    }

    private HttpsURLConnection connection(URL url, long from) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) url.openConnection();
        c.setSSLSocketFactory(sockets);
        c.setConnectTimeout(10_000);
        c.setReadTimeout((int) Duration.ofMinutes(10).toMillis());
        c.setRequestProperty("Accept", "application/cms");
        if (from > 0) {
            c.setRequestProperty("Range", "bytes=" + from + "-");
        }
        return c;
    }

    private static CliException cannotWrite(Path partial, IOException e) {
        return CliException.usage("受信中のファイルに書き込めません: " + partial + "。 cannot write " + partial + ": "
                + e.getMessage() + ". 次に: 空き容量と受信フォルダの権限を確認してください。 next: check the free space and"
                + " the inbox folder's permissions; the next receive resumes from what was written.");
    }

    /** Writes to the partial file; a failure here is the disk's, not the network's, so it is not retried. */
    private static void append(FileChannel file, byte[] buf, int n) {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        try {
            while (bb.hasRemaining()) {
                file.write(bb);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of an error answer (at most 64 KiB, for the problem's reason), read so the connection can be reused. */
    private static String errorBody(HttpsURLConnection c) {
        InputStream in = c.getErrorStream();
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            c.disconnect();
            return "";
        }
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
