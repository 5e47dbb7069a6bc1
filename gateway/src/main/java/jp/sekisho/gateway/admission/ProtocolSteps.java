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
}
