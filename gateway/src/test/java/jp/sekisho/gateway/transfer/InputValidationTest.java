package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import jp.sekisho.audit.EventType;
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
 * What the attack campaign of issue 12 sent, over real mutual TLS with raw sockets (so nothing on the
 * client side normalises the bytes): bad HTTP framing, bad paths and ids, over-long free text, JSON
 * with repeated keys, invalid routes and file names. Each is answered 4xx with its reason code, never
 * 500, leaves exactly one REQUEST_DENIED event of that request and one count under the reason, and the
 * gateway answers the next request. A request smuggled behind a badly framed one is never answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputValidationTest {

    private static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([0-9a-f]{24})\"");
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final String SMUGGLED = "GET /api/v1/whoami HTTP/1.1\r\nHost: gw\r\n\r\n";

    @TempDir
    static Path dir;

    private TransferWorld w;
    private String recipientPem;

    @BeforeAll
    void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("REF-1", 1000);
        w.routes("routes:\n" + TransferWorld.route("benefit", "REF-1", null));
        recipientPem = Files.readString(w.pki.dir().resolve("contractor-enc.pem"));
    }

    @AfterAll
    void stop() throws Exception {
        w.close();
    }

    /** name, listener, who, raw request, status, reason, whether the connection must close after the answer. */
    Stream<Arguments> cases() {
        String tusHeaders = "Tus-Resumable: 1.0.0\r\nUpload-Length: 10\r\n";
        return Stream.of(
                // RFC 9112 framing, on the Micronaut routes, the tus PATCH and payload handlers, both listeners
                framing(
                        "CL and TE",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                framing(
                        "TE twice",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                framing(
                        "TE gzip then chunked in two headers",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                framing(
                        "TE not ending in chunked",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"
                                + SMUGGLED),
                framing(
                        "two differing Content-Length",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n"
                                + SMUGGLED),
                framing(
                        "Content-Length not decimal",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nContent-Length: +0\r\n\r\n" + SMUGGLED),
                framing(
                        "CL and TE on a tus PATCH",
                        "transfer",
                        "city-sender",
                        "PATCH /api/v1/routes/benefit/uploads/abc HTTP/1.1\r\nHost: gw\r\nTus-Resumable: 1.0.0\r\n"
                                + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                                + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                framing(
                        "CL and TE on a payload GET",
                        "transfer",
                        "contractor",
                        "GET /api/v1/routes/benefit/transfers/abc/payload HTTP/1.1\r\nHost: gw\r\n"
                                + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                framing(
                        "CL and TE on the admin listener",
                        "admin",
                        "secretariat",
                        "POST /api/v1/approvals HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                framing(
                        "malformed chunk",
                        "transfer",
                        "city-sender",
                        "POST /api/v1/whoami HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n"
                                + SMUGGLED),
                // the path itself
                refused("malformed escape", "transfer", "city-sender", get("/api/v1/routes/%zz/terms"), "PATH_INVALID"),
                refused("NUL escape", "transfer", "city-sender", get("/api/v1/routes/a%00b/terms"), "PATH_INVALID"),
                refused("not UTF-8", "transfer", "city-sender", get("/api/v1/routes/%C3%28/terms"), "PATH_INVALID"),
                refused("overlong", "transfer", "city-sender", get("/api/v1/" + "a".repeat(3000)), "PATH_INVALID"),
                refused("malformed escape, admin", "admin", "operator", get("/api/v1/routes/%zz"), "PATH_INVALID"),
                refused(
                        "NUL escape, tus PATCH",
                        "transfer",
                        "city-sender",
                        "PATCH /api/v1/routes/bene%00fit/uploads/abc HTTP/1.1\r\nHost: gw\r\nTus-Resumable: 1.0.0\r\n"
                                + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                                + "Content-Length: 0\r\n\r\n",
                        "PATH_INVALID"),
                refused(
                        "malformed escape, payload",
                        "transfer",
                        "contractor",
                        get("/api/v1/routes/%zz/transfers/abc/payload"),
                        "PATH_INVALID"),
                // ids
                refused(
                        "route id grammar",
                        "transfer",
                        "city-sender",
                        get("/api/v1/routes/Bad.Id/terms"),
                        "ID_INVALID"),
                refused("route id, admin", "admin", "operator", get("/api/v1/routes/" + "a".repeat(300)), "ID_INVALID"),
                refused(
                        "approval reference of 1,100 characters",
                        "admin",
                        "secretariat",
                        get("/api/v1/approvals/" + "A".repeat(1100)),
                        "ID_INVALID"),
                refused(
                        "approval reference with a control",
                        "admin",
                        "secretariat",
                        get("/api/v1/approvals/REF%01"),
                        "PATH_INVALID"),
                refused(
                        "approval reference with a leading space",
                        "admin",
                        "secretariat",
                        get("/api/v1/approvals/%20REF-1"),
                        "ID_INVALID"),
                refused(
                        "transfer id too long",
                        "transfer",
                        "contractor",
                        get("/api/v1/routes/benefit/transfers/" + "x".repeat(200)),
                        "ID_INVALID"),
                refused(
                        "transfer id too long, tus PATCH",
                        "transfer",
                        "city-sender",
                        "PATCH /api/v1/routes/benefit/uploads/" + "x".repeat(200) + " HTTP/1.1\r\nHost: gw\r\n"
                                + "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                                + "Content-Type: application/offset+octet-stream\r\nContent-Length: 0\r\n\r\n",
                        "ID_INVALID"),
                refused(
                        "transfer id too long, payload",
                        "transfer",
                        "contractor",
                        get("/api/v1/routes/benefit/transfers/" + "x".repeat(200) + "/payload"),
                        "ID_INVALID"),
                // free text and JSON
                refused(
                        "reason of 10,000 characters",
                        "admin",
                        "secretariat",
                        json(
                                "POST",
                                "/api/v1/approvals/REF-1/decisions",
                                "{\"decision\":\"suspend\",\"reason\":\"" + "理".repeat(10_000) + "\"}"),
                        "FIELD_INVALID"),
                refused(
                        "reason with a bidi override",
                        "admin",
                        "secretariat",
                        json(
                                "POST",
                                "/api/v1/approvals/REF-1/decisions",
                                "{\"decision\":\"suspend\",\"reason\":\"a\u202Eb\"}"),
                        "FIELD_INVALID"),
                refused(
                        "approval reference of 1,100 characters in a body",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals", draft("A".repeat(1100))),
                        "INVALID_APPROVAL"),
                refused(
                        "duplicate key",
                        "admin",
                        "secretariat",
                        json(
                                "POST",
                                "/api/v1/approvals/REF-1/decisions",
                                "{\"decision\":\"suspend\",\"decision\":\"revoke\",\"reason\":\"x\"}"),
                        "JSON_INVALID"),
                refused(
                        "unknown field",
                        "admin",
                        "secretariat",
                        json(
                                "POST",
                                "/api/v1/approvals/REF-1/decisions",
                                "{\"decision\":\"suspend\",\"reason\":\"x\",\"reasn\":\"y\"}"),
                        "JSON_INVALID"),
                refused(
                        "wrong type",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals", draft("REF-T").replace("10,", "\"ten\",")),
                        "JSON_INVALID"),
                refused(
                        "JSON null as the body",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals", "null"),
                        "JSON_INVALID"),
                refused(
                        "a JSON array as the body",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals/REF-1/decisions", "[]"),
                        "JSON_INVALID"),
                refused(
                        "no body",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals/REF-1/decisions", ""),
                        "JSON_INVALID"),
                refused(
                        "a date that does not exist",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals", draft("REF-D").replace("2026-01-01", "2026-13-45")),
                        "DATE_INVALID"),
                refused(
                        "an era date that does not exist",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals", draft("REF-D").replace("2026-01-01", "令和8年2月30日")),
                        "DATE_INVALID"),
                refused(
                        "Upload-Length not a number",
                        "transfer",
                        "city-sender",
                        post(
                                "/api/v1/routes/benefit/uploads",
                                "Tus-Resumable: 1.0.0\r\nUpload-Length: abc\r\nUpload-Metadata: "
                                        + TusClient.metadata("a.cms", "0".repeat(64), 1) + "\r\n"),
                        "METADATA_INVALID"),
                refused(
                        "audit search limit not a number",
                        "admin",
                        "auditor",
                        get("/api/v1/audit/events?limit=many"),
                        "QUERY_INVALID"),
                refused(
                        "audit search with a malformed escape",
                        "admin",
                        "auditor",
                        get("/api/v1/audit/events?type=%zz"),
                        "PATH_INVALID"),
                refused(
                        "malformed JSON",
                        "admin",
                        "secretariat",
                        json("POST", "/api/v1/approvals/REF-1/decisions", "{\"decision\":"),
                        "JSON_INVALID"),
                // routes (dry run)
                refused(
                        "negative size limit",
                        "admin",
                        "operator",
                        json("PUT", "/api/v1/routes", routes("benefit", -1, 3600, sender(), pemJson())),
                        "INVALID_ROUTE"),
                refused(
                        "negative retention",
                        "admin",
                        "operator",
                        json("PUT", "/api/v1/routes", routes("benefit", 1000, -5, sender(), pemJson())),
                        "INVALID_ROUTE"),
                refused(
                        "id with CR/LF and ../",
                        "admin",
                        "operator",
                        json("PUT", "/api/v1/routes", routes("a\\r\\nb/../x", 1000, 3600, sender(), pemJson())),
                        "INVALID_ROUTE"),
                refused(
                        "recipient not a certificate",
                        "admin",
                        "operator",
                        json("PUT", "/api/v1/routes", routes("benefit", 1000, 3600, sender(), "\"not a cert\"")),
                        "INVALID_ROUTE"),
                refused(
                        "party named by neither subject nor fingerprint",
                        "admin",
                        "operator",
                        json(
                                "PUT",
                                "/api/v1/routes",
                                routes("benefit", 1000, 3600, "{\"allow\":[\"127.0.0.1/32\"]}", pemJson())),
                        "INVALID_ROUTE"),
                refused(
                        "not a CIDR",
                        "admin",
                        "operator",
                        json(
                                "PUT",
                                "/api/v1/routes",
                                routes(
                                        "benefit",
                                        1000,
                                        3600,
                                        sender().replace("127.0.0.1/32", "300.1.1.1/99"),
                                        pemJson())),
                        "INVALID_CIDR"),
                refused(
                        "missing party",
                        "admin",
                        "operator",
                        json("PUT", "/api/v1/routes", routes("benefit", 1000, 3600, "", pemJson())),
                        "INVALID_ROUTE"),
                // file names from senders
                refused(
                        "file name ..",
                        "transfer",
                        "city-sender",
                        post(
                                "/api/v1/routes/benefit/uploads",
                                tusHeaders + "Upload-Metadata: " + TusClient.metadata("..", "0".repeat(64), 1)
                                        + "\r\n"),
                        "FILENAME_INVALID"),
                refused(
                        "file name with C1 control and right-to-left override",
                        "transfer",
                        "city-sender",
                        post(
                                "/api/v1/routes/benefit/uploads",
                                tusHeaders + "Upload-Metadata: "
                                        + TusClient.metadata("a\u0085\u202Etxt.exe", "0".repeat(64), 1) + "\r\n"),
                        "FILENAME_INVALID"));
    }

    @ParameterizedTest(name = "{0}: {5}")
    @MethodSource("cases")
    void refusedWithItsReasonAuditedOnceAndTheGatewayGoesOn(
            String name, String listener, String who, String raw, int status, String reason, boolean closes)
            throws Exception {
        long before = w.gw.gateway.metrics().value(Metrics.REQUESTS, listener, "DENY", reason);

        Raw r = send(listener, who, raw);

        Matcher s = STATUS.matcher(r.text);
        assertTrue(s.find(), "an HTTP answer: " + r.text);
        assertEquals(status, Integer.parseInt(s.group(1)), r.text);
        assertTrue(r.text.contains("\"reason\":\"" + reason + "\""), r.text);
        if (closes) {
            assertTrue(r.text.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), r.text);
            assertTrue(r.closed, "the connection is closed after the answer");
            assertEquals(1, count(STATUS, r.text), "the smuggled request is never answered: " + r.text);
        }
        Matcher m = REQUEST_ID.matcher(r.text);
        assertTrue(m.find(), "the problem names its request id: " + r.text);
        String requestId = m.group(1);

        w.gw.store.postgresLog().flush(Duration.ofSeconds(5));
        List<RecordedEvent> events =
                w.gw.store.reader().search(AuditQuery.all().limit(100_000), GatewayFixture.TEST_READER).stream()
                        .filter(e -> requestId.equals(e.event().requestId()))
                        .filter(e -> e.event().outcome() != Outcome.ALLOW)
                        .toList();
        assertEquals(1, events.size(), "exactly one refusing event for " + requestId + ": " + events);
        assertEquals(EventType.REQUEST_DENIED, events.get(0).event().type());
        assertEquals(reason, events.get(0).event().reason());
        assertEquals(
                before + 1,
                w.gw.gateway.metrics().value(Metrics.REQUESTS, listener, "DENY", reason),
                "one request counted under " + reason);

        Raw next = send(listener, who, get("/api/v1/whoami"));
        assertTrue(next.text.startsWith("HTTP/1.1 200 "), "the gateway still answers: " + next.text);
    }

    private static Arguments framing(String name, String listener, String who, String raw) {
        return Arguments.of(name, listener, who, raw, 400, "REQUEST_FRAMING_INVALID", true);
    }

    private static Arguments refused(String name, String listener, String who, String raw, String reason) {
        int status = 400;
        return Arguments.of(name, listener, who, raw, status, reason, false);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n";
    }

    private static String post(String path, String headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nContent-Length: 0\r\n" + headers
                + "\r\n";
    }

    private static String json(String method, String path, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String draft(String ref) {
        return "{\"ref\":\"" + ref + "\",\"title\":\"t\",\"legalBasis\":\"b\",\"contractor\":\"c\","
                + "\"dataItems\":[\"name\"],\"maxRecords\":10,\"validFrom\":\"2026-01-01\",\"validUntil\":\"2026-12-31\"}";
    }

    private static String sender() {
        return "{\"subject\":\"CN=city-sender,O=Sekisho\",\"allow\":[\"127.0.0.1/32\"]}";
    }

    private String pemJson() {
        return "\"" + recipientPem.replace("\r", "").replace("\n", "\\n") + "\"";
    }

    private static String routes(String id, long max, long retention, String senders, String recipients) {
        return "{\"dryRun\":true,\"routes\":[{\"id\":\"" + id
                + "\",\"listener\":\"transfer\",\"approvalRef\":\"REF-1\","
                + "\"senders\":[" + senders + "],"
                + "\"receivers\":[{\"subject\":\"CN=contractor,O=Sekisho\",\"allow\":[\"127.0.0.1/32\"]}],"
                + "\"recipients\":[" + recipients + "],\"maxPayloadBytes\":" + max + ",\"retentionSeconds\":"
                + retention + ",\"allowCbc\":false}]}";
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** What came back on one connection, and whether the gateway closed it (rather than a read timing out). */
    private record Raw(String text, boolean closed) {}

    private Raw send(String listener, String who, String raw) throws Exception {
        var tls = Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile());
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", w.gw.gateway.port(listener))) {
            s.setSoTimeout(5000);
            s.startHandshake();
            s.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] b = new byte[8192];
            boolean closed;
            try {
                int n;
                while ((n = in.read(b)) >= 0) {
                    out.write(b, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (java.net.SocketException e) {
                closed = true; // reset after the answer
            }
            return new Raw(out.toString(StandardCharsets.UTF_8), closed);
        }
    }
}
