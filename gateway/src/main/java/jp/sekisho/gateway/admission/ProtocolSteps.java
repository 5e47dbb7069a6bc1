package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;
import java.util.Locale;

/** Protocol checks that entry points add after the route's checks. */
public final class ProtocolSteps {

    public static final String TUS_RESUMABLE = "Tus-Resumable";
    public static final String TUS_VERSION = "1.0.0";

    private ProtocolSteps() {}

    /** Tus-Resumable must name the one tus version the gateway speaks. */
    public static Step tusVersion(@Nullable String header) {
        return (request, attempt) -> TUS_VERSION.equals(header == null ? null : header.trim())
                ? null
                : attempt.deny(Reason.TUS_VERSION_UNSUPPORTED, TUS_RESUMABLE + " must be " + TUS_VERSION);
    }

    /** The body's Content-Type must start with {@code expected} (parameters may follow). */
    public static Step contentType(@Nullable String header, String expected) {
        return (request, attempt) ->
                header != null && header.trim().toLowerCase(Locale.ROOT).startsWith(expected)
                        ? null
                        : attempt.deny(Reason.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be " + expected);
    }

    /**
     * A console request that changes state must come from the console's own pages: a browser sends the client certificate
     * whichever site made it post, so a state-changing request whose {@code Sec-Fetch-Site} says
     * another site, or whose {@code Origin} is not this gateway's, is refused before any controller
     * reads it. (The form's token is checked as well, by ConsoleForm: old browsers send neither header.)
     *
     * @param host the request's Host header, e.g. {@code 127.0.0.1:9443}
     */
    public static Step sameOrigin(
            String method, @Nullable String origin, @Nullable String fetchSite, @Nullable String host) {
        return (request, attempt) -> {
            if (safe(method)) {
                return null;
            }
            if (fetchSite != null && !"same-origin".equals(fetchSite) && !"none".equals(fetchSite)) {
                return attempt.deny(Reason.CSRF_REJECTED, "Sec-Fetch-Site: " + clip(fetchSite));
            }
            if (origin != null && (host == null || !origin.equals("https://" + host))) {
                return attempt.deny(Reason.CSRF_REJECTED, "Origin " + clip(origin) + " is not this gateway");
            }
            return null;
        };
    }

    private static boolean safe(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    private static String clip(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }
}
