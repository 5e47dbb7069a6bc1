package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.web.router.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.UndeclaredTestController;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docs/openapi.yml against the routes a running gateway serves, both ways, so the document cannot drift: every
 * Micronaut route (from the application context's router) and every request the Netty pipeline answers before
 * Micronaut (the tus PATCH, its POST override, the HTTP/1.1 payload download) is documented, and every documented
 * method and path is served. In this package because the hand-written handlers' path patterns are package-private.
 */
class GatewayApiDocumentedTest {

    /** For people in a browser, not an API: the console's HTML pages and forms (the document says so). */
    static final String EXCLUDED = "/console";

    /** Test-only controllers on the test class path, never in a release. */
    static final Set<Class<?>> TEST_ONLY = Set.of(UndeclaredTestController.class);

    /** Answered in the Netty pipeline before Micronaut's router: method, documented path, the handler's pattern. */
    record HandWritten(String method, String path, Pattern pattern) {}

    static final java.util.List<HandWritten> HAND_WRITTEN = java.util.List.of(
            new HandWritten("PATCH", "/api/v1/routes/{route}/uploads/{id}", TusPatchHandler.PATH),
            // tus 1.0.0's X-HTTP-Method-Override: PATCH, for clients on HttpURLConnection
            new HandWritten("POST", "/api/v1/routes/{route}/uploads/{id}", TusPatchHandler.PATH),
            new HandWritten("GET", "/api/v1/routes/{route}/transfers/{id}/payload", PayloadHandler.PATH));

    @TempDir
    static Path dir;

    static GatewayFixture fx;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    /** {@code /a/{x}/b} and {@code /a/{y}/b} are the same path: variable names are the document's business. */
    static String normal(String method, String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return method + " " + p.replaceAll("\\{[^}]*}", "{}");
    }

    static Set<String> served() {
        Set<String> out = new TreeSet<>();
        fx.gateway.context().getBean(Router.class).uriRoutes().forEach(r -> {
            String path = r.getUriMatchTemplate().toPathString();
            if (!path.equals(EXCLUDED)
                    && !path.startsWith(EXCLUDED + "/")
                    && !TEST_ONLY.contains(r.getTargetMethod().getDeclaringType())) {
                out.add(normal(r.getHttpMethod().name(), path));
            }
        });
        for (HandWritten h : HAND_WRITTEN) {
            out.add(normal(h.method(), h.path()));
        }
        // Micronaut answers HEAD wherever GET is (RFC 9110 9.3.2): implied by the GET in the document, as the
        // document's description says; an explicit HEAD (tus) has no GET and stays
        out.removeIf(r -> r.startsWith("HEAD ") && out.contains("GET " + r.substring(5)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Set<String> documented() throws Exception {
        Path file = Path.of(System.getProperty("user.dir")).resolve("../docs/openapi.yml");
        Map<String, Object> doc =
                (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        Set<String> out = new TreeSet<>();
        Set<String> methods = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
        ((Map<String, Object>) doc.get("paths")).forEach((path, item) -> {
            for (String k : ((Map<String, Object>) item).keySet()) {
                if (methods.contains(k)) {
                    out.add(normal(k.toUpperCase(java.util.Locale.ROOT), path));
                }
            }
        });
        return out;
    }

    @Test
    void everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() throws Exception {
        Set<String> served = served();
        Set<String> documented = documented();
        assertTrue(served.size() >= 30, "the router's routes: " + served);

        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "served but missing from docs/openapi.yml");

        Set<String> unserved = new TreeSet<>(documented);
        unserved.removeAll(served);
        assertEquals(Set.of(), unserved, "in docs/openapi.yml but not served");
    }

    @Test
    void theHandWrittenHandlersAnswerTheDocumentedPaths() {
        for (HandWritten h : HAND_WRITTEN) {
            String sample = h.path().replace("{route}", "kurume-benefit").replace("{id}", "AbC_12-3");
            assertTrue(h.pattern().matcher(sample).matches(), h + " does not match " + sample);
            assertFalse(h.pattern().matcher(sample + "/x").matches(), h + " matches more than its path");
        }
    }
}
