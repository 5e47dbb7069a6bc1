package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every refusal, on every entry point (the Micronaut filter and controllers, the tus PATCH handler, the
 * payload handler), whether the admission chain or a service after it refused: the answer carries the
 * reason, the audit log holds exactly one refusing event of that request with that reason, and
 * {@code sekisho_requests_total} counted the request exactly once, under that reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusalAccountingTest {

    private static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([0-9a-f]{24})\"");
    private static final String TUS = "Tus-Resumable";
    private static final String OCTETS = "application/offset+octet-stream";

    @TempDir
    static Path dir;

    private TransferWorld w;
    private final Map<String, HttpClient> clients = new HashMap<>();
    private String upload;
    /** An upload whose whole body is the text the refusals send: not an envelope, refused when complete. */
    private String plaintextUpload;

    private static final String BODY = "{\"reason\":\"確認\"}";

    @BeforeAll
    void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("REF-1", 1000);
        w.pending("REF-PENDING");
        w.routes("routes:\n" + TransferWorld.route("benefit", "REF-1", null)
                + TransferWorld.route("waiting", "REF-PENDING", null));
        HttpResponse<String> created = send(
                "transfer",
                "city-sender",
                "POST",
                "/api/v1/routes/benefit/uploads",
                "",
                TUS,
                "1.0.0",
                "Upload-Length",
                "10",
                "Upload-Metadata",
                TusClient.metadata("a.cms", "0".repeat(64), 1));
        assertEquals(201, created.statusCode(), created.body());
        upload = created.headers().firstValue("Location").orElseThrow();
        byte[] body = BODY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        HttpResponse<String> plain = send(
                "transfer",
                "city-sender",
                "POST",
                "/api/v1/routes/benefit/uploads",
                "",
                TUS,
                "1.0.0",
                "Upload-Length",
                Integer.toString(body.length),
                "Upload-Metadata",
                TusClient.metadata("plain.csv", sha, 1));
        assertEquals(201, plain.statusCode(), plain.body());
        plaintextUpload = plain.headers().firstValue("Location").orElseThrow();
    }

    @AfterAll
    void stop() throws Exception {
        w.close();
    }

    /** entry, who, method, path, headers (name, value, ...), expected status, expected reason. */
    Stream<Arguments> refusals() {
        String patchOk = "1.0.0";
        return Stream.of(
                // the Micronaut filter: the chain's steps
                Arguments.of(
                        "api",
                        "contractor",
                        "POST",
                        "/api/v1/routes/benefit/uploads",
                        List.of(TUS, "1.0.0"),
                        403,
                        "ROLE_REQUIRED"),
                Arguments.of(
                        "api",
                        "contractor",
                        "GET",
                        "/api/v1/routes/benefit/terms?as=sender",
                        List.of(),
                        403,
                        "NOT_A_SENDER"),
                Arguments.of("api", "city-sender", "GET", "/api/v1/routes/nope/terms", List.of(), 404, "ROUTE_UNKNOWN"),
                Arguments.of("api", "secretariat", "GET", "/api/v1/approvals", List.of(), 404, "ADMIN_LISTENER_ONLY"),
                Arguments.of(
                        "api",
                        "city-sender",
                        "POST",
                        "/api/v1/routes/benefit/uploads",
                        List.of(TUS, "0.2.2"),
                        412,
                        "TUS_VERSION_UNSUPPORTED"),
                Arguments.of(
                        "api",
                        "city-sender",
                        "GET",
                        "/api/v1/routes/waiting/terms",
                        List.of(),
                        403,
                        "APPROVAL_PENDING"),
                // the Micronaut routes: refusals after admission
                Arguments.of(
                        "api",
                        "city-sender",
                        "DELETE",
                        "/api/v1/routes/benefit/uploads/nope",
                        List.of(TUS, "1.0.0"),
                        404,
                        "TRANSFER_UNKNOWN"),
                Arguments.of(
                        "api",
                        "contractor",
                        "POST",
                        "/api/v1/routes/benefit/transfers/nope/ack",
                        List.of(),
                        400,
                        "METADATA_INVALID"),
                Arguments.of("api", "city-sender", "GET", "/api/v1/nothing-here", List.of(), 404, "NOT_FOUND"),
                // refusals its service audits itself (REQUEST_DENIED, TRANSFER_REJECTED): not written twice
                Arguments.of(
                        "api",
                        "city-sender",
                        "POST",
                        "/api/v1/routes/benefit/uploads",
                        List.of(
                                TUS,
                                "1.0.0",
                                "Upload-Length",
                                "10",
                                "Upload-Metadata",
                                TusClient.metadata("a.cms", "0".repeat(64), 5000)),
                        403,
                        "RECORDS_OVER_APPROVAL"),
                Arguments.of(
                        "api",
                        "city-sender",
                        "POST",
                        "/api/v1/routes/benefit/uploads",
                        List.of(
                                TUS,
                                "1.0.0",
                                "Upload-Length",
                                "999999999999999",
                                "Upload-Metadata",
                                TusClient.metadata("a.cms", "0".repeat(64), 1)),
                        413,
                        "PAYLOAD_TOO_LARGE"),
                Arguments.of(
                        "patch",
                        "city-sender",
                        "PATCH",
                        "PLAINTEXT",
                        List.of(TUS, "1.0.0", "Upload-Offset", "0", "Content-Type", OCTETS),
                        422,
                        "PAYLOAD_NOT_ENCRYPTED"),
                // the admin listener: the chain, a controller's own refusal, and one its service already audited
                Arguments.of("admin", "contractor", "GET", "/api/v1/approvals", List.of(), 403, "ROLE_REQUIRED"),
                Arguments.of(
                        "admin", "secretariat", "GET", "/api/v1/approvals/NOPE", List.of(), 404, "APPROVAL_UNKNOWN"),
                Arguments.of(
                        "admin",
                        "secretariat",
                        "POST",
                        "/api/v1/approvals/REF-1/confirmations",
                        List.of("Content-Type", "application/json"),
                        409,
                        "NOTHING_TO_CONFIRM"),
                // the tus PATCH handler
                Arguments.of(
                        "patch",
                        "contractor",
                        "PATCH",
                        "/api/v1/routes/benefit/uploads/abc",
                        List.of(TUS, patchOk, "Upload-Offset", "0", "Content-Type", OCTETS),
                        403,
                        "ROLE_REQUIRED"),
                Arguments.of(
                        "patch",
                        "city-sender",
                        "PATCH",
                        "/api/v1/routes/nope/uploads/abc",
                        List.of(TUS, patchOk, "Upload-Offset", "0", "Content-Type", OCTETS),
                        404,
                        "ROUTE_UNKNOWN"),
                Arguments.of(
                        "patch",
                        "city-sender",
                        "PATCH",
                        "/api/v1/routes/waiting/uploads/abc",
                        List.of(TUS, patchOk, "Upload-Offset", "0", "Content-Type", OCTETS),
                        403,
                        "APPROVAL_PENDING"),
                Arguments.of(
                        "patch",
                        "city-sender",
                        "PATCH",
                        "/api/v1/routes/benefit/uploads/abc",
                        List.of(TUS, patchOk, "Upload-Offset", "0", "Content-Type", "text/plain"),
                        415,
                        "UNSUPPORTED_MEDIA_TYPE"),
                Arguments.of(
                        "patch",
                        "city-sender",
                        "PATCH",
                        "/api/v1/routes/benefit/uploads/nope",
                        List.of(TUS, patchOk, "Upload-Offset", "0", "Content-Type", OCTETS),
                        404,
                        "TRANSFER_UNKNOWN"),
                Arguments.of(
                        "patch",
                        "city-sender",
                        "PATCH",
                        "UPLOAD",
                        List.of(TUS, patchOk, "Upload-Offset", "5", "Content-Type", OCTETS),
                        409,
                        "OFFSET_MISMATCH"),
                // the payload handler
                Arguments.of(
                        "payload",
                        "city-sender",
                        "GET",
                        "/api/v1/routes/benefit/transfers/abc/payload",
                        List.of(),
                        403,
                        "ROLE_REQUIRED"),
                Arguments.of(
                        "payload",
                        "contractor",
                        "GET",
                        "/api/v1/routes/nope/transfers/abc/payload",
                        List.of(),
                        404,
                        "ROUTE_UNKNOWN"),
                Arguments.of(
                        "payload",
                        "contractor",
                        "GET",
                        "/api/v1/routes/waiting/transfers/abc/payload",
                        List.of(),
                        403,
                        "APPROVAL_PENDING"),
                Arguments.of(
                        "payload",
                        "contractor",
                        "GET",
                        "/api/v1/routes/benefit/transfers/nope/payload",
                        List.of(),
                        404,
                        "TRANSFER_UNKNOWN"),
                Arguments.of(
                        "payload",
                        "contractor",
                        "GET",
                        "/api/v1/routes/benefit/transfers/abc/payload",
                        List.of("Range", "bytes=x-"),
                        416,
                        "RANGE_NOT_SATISFIABLE"));
    }

    @ParameterizedTest(name = "{0} {2} {3} as {1}: {6}")
    @MethodSource("refusals")
    void eachRefusalIsAuditedAndCountedOnce(
            String entry, String who, String method, String path, List<String> headers, int status, String reason)
            throws Exception {
        String p = "UPLOAD".equals(path) ? upload : "PLAINTEXT".equals(path) ? plaintextUpload : path;
        String listener = entry.equals("admin") ? "admin" : "transfer";
        long before = w.gw.gateway.metrics().value(Metrics.REQUESTS, listener, "DENY", reason);
        long allowedBefore = w.gw.gateway.metrics().value(Metrics.REQUESTS, listener, "ALLOW", "OK");
        double byMethod = w.gw.gateway
                .metrics()
                .sum(Metrics.REQUESTS, "listener", listener, "method", method, "outcome", "DENY", "reason", reason);
        double refused = w.gw.gateway.metrics().sum(Metrics.REFUSALS, "reason", reason);

        HttpResponse<String> r = send(listener, who, method, p, BODY, headers.toArray(String[]::new));

        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"reason\":\"" + reason + "\""), r.body());
        Matcher m = REQUEST_ID.matcher(r.body());
        assertTrue(m.find(), "the problem names its request id: " + r.body());
        String requestId = m.group(1);
        assertEquals(
                requestId, r.headers().firstValue("X-Request-Id").orElse(requestId), "X-Request-Id and the body agree");

        w.gw.store.postgresLog().flush(Duration.ofSeconds(5));
        List<RecordedEvent> events =
                w.gw.store.reader().search(AuditQuery.all().limit(100_000), GatewayFixture.TEST_READER).stream()
                        .filter(e -> requestId.equals(e.event().requestId()))
                        .toList();
        List<RecordedEvent> refusals = events.stream()
                .filter(e -> e.event().outcome() != Outcome.ALLOW)
                .toList();
        assertEquals(1, refusals.size(), "exactly one refusing event for " + requestId + ": " + events);
        assertEquals(reason, refusals.get(0).event().reason());
        assertNotNull(refusals.get(0).event().principal(), "the event names who asked");
        if (!entry.equals("api")
                && !entry.equals("admin")
                && refusals.get(0).event().type() == jp.sekisho.audit.EventType.REQUEST_DENIED) {
            assertTrue(
                    refusals.get(0)
                            .event()
                            .detailJson()
                            .contains("\"entry\":\"" + (entry.equals("patch") ? "tus-patch" : entry) + "\""),
                    refusals.get(0).event().detailJson());
        }
        assertEquals(
                before + 1,
                w.gw.gateway.metrics().value(Metrics.REQUESTS, listener, "DENY", reason),
                "one request counted under " + reason);
        assertEquals(
                allowedBefore,
                w.gw.gateway.metrics().value(Metrics.REQUESTS, listener, "ALLOW", "OK"),
                "a refused request is not also counted as allowed");
        assertEquals(
                byMethod + 1,
                w.gw.gateway
                        .metrics()
                        .sum(
                                Metrics.REQUESTS,
                                "listener",
                                listener,
                                "method",
                                method,
                                "outcome",
                                "DENY",
                                "reason",
                                reason),
                "counted under its method " + method);
        String stage = jp.sekisho.gateway.admission.Reason.of(reason)
                .orElseThrow()
                .stage()
                .name()
                .toLowerCase(java.util.Locale.ROOT);
        assertEquals(
                refused + 1,
                w.gw.gateway.metrics().sum(Metrics.REFUSALS, "stage", stage, "reason", reason),
                "one refusal at stage " + stage);
    }

    private HttpResponse<String> send(
            String listener, String who, String method, String path, String body, String... headers) throws Exception {
        HttpClient http = clients.computeIfAbsent(who, k -> {
            try {
                return HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .sslContext(Tls.client(w.pki.dir().resolve(k + ".p12"), w.pki.caFile()))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + w.gw.gateway.port(listener) + path))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpRequest.BodyPublisher pub = method.equals("GET") || method.equals("DELETE")
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return http.send(b.method(method, pub).build(), HttpResponse.BodyHandlers.ofString());
    }
}
