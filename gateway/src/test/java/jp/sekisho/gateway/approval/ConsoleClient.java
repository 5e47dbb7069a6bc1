package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.gateway.transfer.Tls;

/**
 * One person's browser, as far as the approvals pages' tests need it: their client certificate over
 * mutual TLS, pages asked for as text/html, forms posted url-encoded with the token a page of the
 * gateway gave this certificate, redirects not followed (the tests read the 303).
 */
public final class ConsoleClient {

    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final HttpClient http;
    private final UnaryOperator<String> url;

    /** @param url the admin listener's URL of a path */
    public ConsoleClient(Path pkcs12, Path ca, UnaryOperator<String> url) throws Exception {
        this.http = HttpClient.newBuilder()
                .sslContext(Tls.client(pkcs12, ca))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.url = url;
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url.apply(path)))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs the form with this person's token, read from the new-consultation page as a browser would. */
    public HttpResponse<String> post(String path, Map<String, List<String>> fields) throws Exception {
        Map<String, List<String>> f = new HashMap<>(fields);
        f.put("_csrf", List.of(token()));
        return send(path, f);
    }

    /** POSTs the form exactly as given (no token added). */
    public HttpResponse<String> send(String path, Map<String, List<String>> fields) throws Exception {
        List<String> pairs = new ArrayList<>();
        fields.forEach((k, vs) -> vs.forEach(v -> pairs.add(enc(k) + "=" + enc(v))));
        return http.send(
                HttpRequest.newBuilder(URI.create(url.apply(path)))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "text/html")
                        .POST(HttpRequest.BodyPublishers.ofString(String.join("&", pairs)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A secretariat member's token, from the page with the new-consultation form. */
    public String token() throws Exception {
        return csrf(get(ApprovalLinks.NEW).body());
    }

    public HttpResponse<String> decide(String ref, String decision, String reason, String action) throws Exception {
        return post(
                ApprovalLinks.decision(ref),
                Map.of("decision", List.of(decision), "reason", List.of(reason), "action", List.of(action)));
    }

    public HttpResponse<String> confirm(String ref) throws Exception {
        return post(ApprovalLinks.confirm(ref), Map.of("reason", List.of("確認しました")));
    }

    public static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertTrue(m.find(), "no token in " + html);
        return m.group(1);
    }

    /** The element with this id up to the next heading (enough for the assertions). */
    public static String section(String html, String id) {
        int at = html.indexOf("id=\"" + id + "\"");
        assertTrue(at >= 0, "no #" + id + " in " + html);
        int end = html.indexOf("<h2>", at);
        return html.substring(at, end < 0 ? html.length() : end);
    }

    public static String error(String html) {
        int at = html.indexOf("id=\"error\"");
        assertTrue(at >= 0, "no #error in " + html);
        return html.substring(at, html.indexOf("</div>", at));
    }

    /** The approvals list's row of {@code ref}. */
    public static String row(String html, String ref) {
        int at = html.indexOf("<tr data-ref=\"" + ref + "\"");
        assertTrue(at >= 0, "no row for " + ref + " in " + html);
        return html.substring(at, html.indexOf("</tr>", at));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
