package jp.sekisho.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.http.HttpMethod;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every state-changing console endpoint that exists, found from the router rather than listed by
 * hand (a new form cannot be forgotten): posted from the console's own origin by a certificate that
 * holds every console role, but without the form's token, or with another certificate's, each is
 * refused 403 CSRF_REJECTED — before the handler looks anything up.
 */
class EveryConsoleFormTest {

    @TempDir
    static Path dir;

    static GatewayFixture fx;
    static HttpClient everything;
    static Credential all;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        all = pki.client("all-roles");
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + all.certificate().getSubjectX500Principal().getName()
                        + "\", roles: [secretariat, auditor, operator] }\n");
        everything = HttpClient.newBuilder()
                .sslContext(Tls.client(all.pkcs12File(), pki.caFile()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static List<UriRouteInfo<?, ?>> consoleForms() {
        return fx.gateway
                .context()
                .getBean(Router.class)
                .uriRoutes()
                .filter(r -> ConsolePage.isConsole(r.getUriMatchTemplate().toPathString()))
                .filter(r -> r.getHttpMethod() != HttpMethod.GET && r.getHttpMethod() != HttpMethod.HEAD)
                .<UriRouteInfo<?, ?>>map(r -> r)
                .toList();
    }

    @Test
    void everyConsoleFormRefusesARequestWithoutItsToken() throws Exception {
        List<UriRouteInfo<?, ?>> forms = consoleForms();
        assertTrue(forms.size() >= 4, "the console's forms: " + forms);
        String origin = "https://127.0.0.1:" + fx.gateway.port("admin");
        for (UriRouteInfo<?, ?> r : forms) {
            // every path variable: an id that may or may not exist; the token is checked before any lookup
            String path = r.getUriMatchTemplate().toPathString().replaceAll("\\{[^/}]*}", PathSegment.encode("2総政第1号"));
            for (String body : new String[] {"decision=revoke&reason=x", "_csrf=forged&decision=revoke&reason=x"}) {
                HttpResponse<String> resp = everything.send(
                        HttpRequest.newBuilder(URI.create(origin + path))
                                .header("Origin", origin)
                                .header("Sec-Fetch-Site", "same-origin")
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .method(r.getHttpMethod().name(), HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, resp.statusCode(), r + " " + body + ": " + resp.body());
                assertTrue(resp.body().contains("CSRF_REJECTED"), r + ": " + resp.body());
            }
        }
    }
}
