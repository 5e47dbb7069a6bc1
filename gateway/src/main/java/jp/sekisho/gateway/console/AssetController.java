package jp.sekisho.gateway.console;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import jp.sekisho.cli.Printable;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.AnyPrincipal;

/**
 * The console's style sheet and scripts, from the gateway's own jar (no CDN): only the files named
 * here, so a path can never reach anything else on the class path.
 */
@AdminApi
@Controller("/console/assets")
public final class AssetController {

    /** File name → media type; a new asset is added here and under resources/console/assets/. */
    static final Map<String, String> ASSETS = Map.of(
            "console.css", "text/css;charset=UTF-8",
            "live.js", "text/javascript;charset=UTF-8",
            "console.js", "text/javascript;charset=UTF-8");

    @Get("/{name}")
    @AnyPrincipal
    public HttpResponse<?> asset(HttpRequest<?> request, String name) {
        String type = ASSETS.get(name);
        InputStream in = type == null ? null : AssetController.class.getResourceAsStream("/console/assets/" + name);
        if (in == null) {
            return Problem.response(request, Reason.NOT_FOUND, "no console asset " + Printable.of(name));
        }
        byte[] bytes;
        try (in) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MutableHttpResponse<byte[]> r = HttpResponse.ok(bytes).contentType(MediaType.of(type));
        ConsolePage.secure(r);
        r.header("Cache-Control", "private, max-age=300");
        return r;
    }
}
