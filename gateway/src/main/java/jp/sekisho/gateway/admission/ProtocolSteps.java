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
     * A console request must come from the console's own pages. A browser sends the client
     * certificate whichever site made it send a request, so admission refuses:
     * <ul>
     *   <li>a state-changing request whose {@code Sec-Fetch-Site} names another site, or whose
     *       {@code Origin} is not this gateway's (the form's token is checked as well, by ConsoleForm:
     *       old browsers send neither header);</li>
     *   <li>another site's sub-resource or script request even when it only reads ({@code <img
     *       src=/console/audit>} would record an audit read for the auditor each time): only a
     *       top-level navigation, a person following a link, may come from elsewhere.</li>
     * </ul>
     *
     * @param host the request's Host header, e.g. {@code 127.0.0.1:9443}
     */
    public static Step sameOrigin(
            String method,
            @Nullable String origin,
            @Nullable String fetchSite,
            @Nullable String fetchMode,
            @Nullable String host) {
        return (request, attempt) -> {
            boolean elsewhere = fetchSite != null && !"same-origin".equals(fetchSite) && !"none".equals(fetchSite);
            if (safe(method)) {
                return elsewhere && !"navigate".equals(fetchMode)
                        ? attempt.deny(
                                Reason.CSRF_REJECTED,
                                "Sec-Fetch-Site: " + clip(fetchSite) + ", Sec-Fetch-Mode: "
                                        + clip(String.valueOf(fetchMode)))
                        : null;
            }
            if (elsewhere) {
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
