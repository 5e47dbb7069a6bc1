package jp.sekisho.client.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.HttpsURLConnection;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.SealResult;

/**
 * One tus {@code PATCH}: a body streamed to the upload's location, and what the gateway answered.
 * It decides nothing; the caller reads the status and resumes.
 *
 * <p>The body goes through {@link HttpsURLConnection} with streaming (fixed-length or chunked),
 * which moves bulk data over TLS about three times faster than the JDK HttpClient. Since
 * HttpURLConnection has no PATCH, the request is a POST with {@code X-HTTP-Method-Override: PATCH},
 * which the gateway accepts as tus clients on such stacks need.
 */
final class TusPatch {

    /** The gateway's header that starts an upload whose length is not declared again from byte 0. */
    static final String REWIND = "Sekisho-Upload-Rewind";

    /** What the gateway answered to one PATCH. */
    record Answer(int status, String uploadOffset, String transferId, String body) {}

    /** The copy buffer and the chunked-mode chunk: the most of the file held in memory at once. */
    private static final int BODY_BUFFER = 1 << 18;

    private final GatewayClient client;
    private final Progress progress;

    TusPatch(GatewayClient client, Progress progress) {
        this.client = client;
        this.progress = progress;
    }

    /**
     * Sends {@code n} bytes of {@code body} from {@code offset}, or what {@code body} gives until its
     * end when {@code n} is -1 (chunked). {@code declared}, set on a deferred upload once the file is
     * complete, adds its length and SHA-256; {@code digest} adds {@code Upload-Checksum}.
     */
    Answer send(URI location, long offset, long n, InputStream body, SealResult declared, byte[] digest)
            throws IOException {
        return send(location, offset, n, body, declared, digest, false);
    }

    /** @param rewind starts an undeclared deferred upload again from byte 0 ({@code Sekisho-Upload-Rewind}) */
    Answer send(URI location, long offset, long n, InputStream body, SealResult declared, byte[] digest, boolean rewind)
            throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) location.toURL().openConnection();
        try (InputStream in = counting(body, offset)) {
            c.setSSLSocketFactory(client.socketFactory());
            c.setConnectTimeout(10_000);
            c.setReadTimeout((int) Duration.ofMinutes(10).toMillis());
            c.setRequestMethod("POST");
            c.setRequestProperty("X-HTTP-Method-Override", "PATCH");
            c.setRequestProperty("Tus-Resumable", TusUploader.TUS_VERSION);
            c.setRequestProperty("Content-Type", "application/offset+octet-stream");
            c.setRequestProperty("Upload-Offset", Long.toString(offset));
            if (declared != null) {
                // a deferred upload: length and hash are known now; the gateway accepts them again unchanged
                c.setRequestProperty("Upload-Length", Long.toString(declared.envelopeBytes()));
                c.setRequestProperty("Sekisho-Envelope-Sha256", declared.envelopeSha256());
            }
            if (rewind) {
                c.setRequestProperty(REWIND, "1");
            }
            if (digest != null) {
                c.setRequestProperty(
                        "Upload-Checksum", "sha256 " + Base64.getEncoder().encodeToString(digest));
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
            return new Answer(status, c.getHeaderField("Upload-Offset"), c.getHeaderField("Sekisho-Transfer-Id"), text);
        } catch (IOException e) {
            c.disconnect(); // a broken connection must not go back to the keep-alive cache
            throw e;
        }
    }

    /** Reports every byte read as progress, so a large chunk moves the bar while it is sent. */
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
}
