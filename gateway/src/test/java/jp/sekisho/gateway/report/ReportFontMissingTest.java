package jp.sekisho.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jp.sekisho.audit.EventType;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.font naming a file that is not there: PDFs are refused REPORT_FONT_MISSING (audited), the rest served. */
class ReportFontMissingTest {

    @TempDir
    static Path dir;

    static GatewayFixture fx;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential auditor = pki.client("auditor");
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "gwtest",
                "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + auditor.certificate().getSubjectX500Principal().getName() + "\", roles: [auditor] }\n",
                "report:\n  font: fonts/missing.ttf\n");
        http = HttpClient.newBuilder()
                .sslContext(Tls.client(auditor.pkcs12File(), pki.caFile()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(fx.url("admin", path)))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPdfIsRefusedWithTheFontNamedAndMarkdownStillServed() throws Exception {
        HttpResponse<String> pdf = get("/api/v1/reports/years/2026?format=pdf");
        assertEquals(503, pdf.statusCode(), pdf.body());
        assertTrue(pdf.body().contains("REPORT_FONT_MISSING") && pdf.body().contains("missing.ttf"), pdf.body());
        assertTrue(pdf.body().contains("fonts-ipaexfont-gothic"), pdf.body());
        assertNotNull(fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "REPORT_FONT_MISSING".equals(e.event().reason())));
        HttpResponse<String> md = get("/api/v1/reports/years/2026?format=md");
        assertEquals(200, md.statusCode(), md.body());
        assertTrue(md.body().startsWith("# 運用状況報告（年次） 2026年"), md.body());
    }
}
