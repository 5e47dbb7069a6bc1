package jp.sekisho.client.transfer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;

/**
 * The HTTP exchanges of an upload on one route other than its PATCHes ({@link TusPatch}): the
 * creation POST, HEAD, the transfer's state and receipt, and tus termination, each built, sent once
 * and its answer read into a value. Whether to send one again, and when, is {@link TusUploader}'s.
 */
final class TusRequests {

    /** Answers that mean the gateway cannot serve now (it restarts, or a proxy before it lost it): try again. */
    static final Set<Integer> TRANSIENT = Set.of(500, 502, 503, 504);

    /** What {@code HEAD} told of an upload: its offset, whether its length is declared, and whether it is stored. */
    record Head(long offset, boolean lengthDeclared, boolean stored) {}

    private final GatewayClient client;
    private final String route;

    TusRequests(GatewayClient client, String route) {
        this.client = client;
        this.route = route;
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

    /** The creation POST of an upload whose length and hash are known. */
    HttpRequest.Builder creation(long length, String filename, String sha256Hex, long records) {
        return creation()
                .header("Upload-Length", Long.toString(length))
                .header("Upload-Metadata", metadata(filename, sha256Hex, records));
    }

    /** The creation POST without its length headers, which differ between fixed and deferred uploads. */
    HttpRequest.Builder creation() {
        return HttpRequest.newBuilder(client.resolve(uploads()))
                .timeout(Duration.ofSeconds(60))
                .header("Tus-Resumable", TusUploader.TUS_VERSION)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    /** The upload's URL from the answer to its creation; a problem unless the gateway created it (201). */
    URI created(HttpResponse<String> res) {
        if (res.statusCode() != 201) {
            throw problem(res);
        }
        String loc = res.headers()
                .firstValue("Location")
                .orElseThrow(() -> new CliException(
                        ExitCode.UNAVAILABLE,
                        "ゲートウェイがアップロードの場所を返しませんでした。 the gateway created the upload but gave"
                                + " no Location. 次に: 間にプロキシがあればその設定を確認してください。 next: if a"
                                + " proxy stands in between, check that it passes the Location header."));
        return client.resolve(loc);
    }

    HttpRequest head(URI location) {
        return HttpRequest.newBuilder(location)
                .timeout(Duration.ofSeconds(60))
                .header("Tus-Resumable", TusUploader.TUS_VERSION)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build();
    }

    /** What the answer to {@code HEAD} says of the upload; null for 404 (stored and forgotten, or gone). */
    static Head head(HttpResponse<String> res) {
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
        throw problem(res);
    }

    HttpRequest receipt(String id) {
        return HttpRequest.newBuilder(client.resolve(transfer(id) + "/receipt"))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .GET()
                .build();
    }

    /** Sends one request; a network failure comes out as the IOException, for the caller to judge. */
    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.exchange(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The transfer's state, or null when the gateway cannot say now (network, 5xx). */
    String state(String id) throws InterruptedException {
        try {
            HttpResponse<String> res = send(HttpRequest.newBuilder(client.resolve(transfer(id)))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json")
                    .GET()
                    .build());
            if (res.statusCode() == 200) {
                return String.valueOf(
                        new GatewayClient.Response(200, res.body()).object().get("state"));
            }
            if (TRANSIENT.contains(res.statusCode())) {
                return null;
            }
            throw problem(res);
        } catch (IOException e) {
            if (!GatewayClient.retryable(e)) {
                throw client.unavailable(e);
            }
            return null;
        }
    }

    /** Confirms through the transfer's state that the gateway stored it; otherwise {@link TusUploader.Gone} with the state. */
    void requireStored(String id) {
        GatewayClient.Response r;
        try {
            r = client.get(transfer(id));
        } catch (CliException e) {
            if (e.getMessage().startsWith("TRANSFER_UNKNOWN") || e.getMessage().startsWith("HTTP_404")) {
                throw new TusUploader.Gone(id, "UNKNOWN", null);
            }
            throw e;
        }
        Map<String, Object> t = r.object();
        String state = String.valueOf(t.get("state"));
        if (!Set.of("STORED", "DELIVERED", "ACKNOWLEDGED", "PURGED").contains(state)) {
            throw new TusUploader.Gone(id, state, t.get("reason"));
        }
    }

    /** Ends an upload that will not be continued (tus termination); best effort, it expires otherwise. */
    void terminate(URI location) {
        try {
            client.exchange(
                    HttpRequest.newBuilder(location)
                            .timeout(Duration.ofSeconds(10))
                            .header("Tus-Resumable", TusUploader.TUS_VERSION)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException | RuntimeException ignored) {
            // the gateway deletes an abandoned upload when it expires (24 h after its last PATCH)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The gateway's refusal as the CLI's error. */
    static CliException problem(HttpResponse<String> res) {
        return GatewayClient.problem(new GatewayClient.Response(res.statusCode(), res.body()));
    }

    private String uploads() {
        return "api/v1/routes/" + Paths.segment(route) + "/uploads";
    }

    private String transfer(String id) {
        return "api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(id);
    }
}
