package jp.sekisho.gateway.console;

import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.templates.JteerrorGenerated;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Principal;

/**
 * Renders console pages: a precompiled jte template (HTML-escaped by its content type) inside the
 * layout, with the headers every page carries: a Content-Security-Policy that runs only the
 * gateway's own script and style files (no inline script, no other origin), no framing, no
 * referrer, no caching of pages that show residents' approvals.
 */
@Singleton
public final class ConsolePage {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** Where the console lives; admission refuses cross-site state changes to anything under it. */
    public static final String PATH = "/console";

    public static boolean isConsole(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    /** A page body: writes the template for this view. */
    @FunctionalInterface
    public interface Template {
        void render(ConsoleView view, HtmlTemplateOutput out);
    }

    private final Csrf csrf;

    public ConsolePage(Csrf csrf) {
        this.csrf = csrf;
    }

    /** The view for this request: language, token, navigation; {@code notice} from {@code ?done=KEY}. */
    public ConsoleView view(HttpRequest<?> request, Principal principal, String titleKey) {
        Messages m = Messages.of(Lang.of(request));
        String done = request.getParameters().get("done");
        String notice =
                done != null && done.matches("[a-z0-9.-]{1,64}") && m.has("done." + done) ? "done." + done : null;
        return new ConsoleView(
                principal,
                m,
                csrf.token(principal),
                pathWithoutLang(request),
                m.t(titleKey),
                NavItem.forPrincipal(principal),
                notice);
    }

    public MutableHttpResponse<String> render(
            HttpRequest<?> request, Principal principal, String titleKey, Template template) {
        return render(request, view(request, principal, titleKey), 200, template);
    }

    public MutableHttpResponse<String> render(HttpRequest<?> request, ConsoleView view, int status, Template template) {
        StringOutput s = new StringOutput();
        template.render(view, new OwaspHtmlTemplateOutput(s));
        MutableHttpResponse<String> r = HttpResponse.<String>status(status, null)
                .body(s.toString())
                .contentType(new MediaType("text/html", Map.of("charset", StandardCharsets.UTF_8.name())));
        secure(r);
        String requestId = Requests.requestId(request);
        if (requestId != null) {
            r.header(Requests.HEADER, requestId); // also when admission answers before the response filter
        }
        if (Lang.chosen(request)) {
            r.cookie(Cookie.of(Lang.COOKIE, view.lang().code())
                    .path("/console")
                    .secure(true)
                    .httpOnly(true)
                    .sameSite(SameSite.Strict)
                    .maxAge(365L * 24 * 3600));
        }
        return r;
    }

    /**
     * A refusal as a page: the reason code and a bilingual message in {@code #error}, the status of the
     * reason, and the reason handed to admission so the audit event names it (not REQUEST_ERROR).
     */
    public MutableHttpResponse<String> error(
            HttpRequest<?> request, Principal principal, Reason reason, int status, @Nullable String message) {
        Requests.refusal(request, reason.code(), message);
        ConsoleView v = view(request, principal, "error.title");
        return render(
                request,
                v,
                status,
                (view, out) -> JteerrorGenerated.render(out, null, view, reason, message, Requests.requestId(request)));
    }

    /** 303 to a console page after a form succeeded, with the notice to show there. */
    public static MutableHttpResponse<String> seeOther(String path, @Nullable String doneKey) {
        String to = doneKey == null ? path : path + (path.contains("?") ? "&" : "?") + "done=" + doneKey;
        MutableHttpResponse<String> r = HttpResponse.seeOther(URI.create(to));
        secure(r);
        return r;
    }

    static void secure(MutableHttpResponse<?> r) {
        r.header("Content-Security-Policy", CSP)
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                // not no-referrer: under it Chromium sends "Origin: null" with the console's own form
                // POSTs, which the cross-site check must refuse; same-origin still tells no other site
                .header("Referrer-Policy", "same-origin")
                .header("Cache-Control", "no-store");
    }

    private static String pathWithoutLang(HttpRequest<?> request) {
        String query = request.getParameters().asMap().entrySet().stream()
                .filter(e -> !Lang.PARAM.equals(e.getKey()) && !"done".equals(e.getKey()))
                .flatMap(e -> e.getValue().stream().map(v -> enc(e.getKey()) + "=" + enc(v)))
                .collect(Collectors.joining("&"));
        return request.getPath() + (query.isEmpty() ? "" : "?" + query);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
