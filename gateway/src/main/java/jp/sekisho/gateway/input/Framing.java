package jp.sekisho.gateway.input;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jp.sekisho.gateway.admission.Reason;

/**
 * Whether a decoded request head may be served, by RFC 9112 §6.1 and §6.3: a message whose length two
 * parties could read differently is refused, and its connection closed, so nothing smuggled behind it
 * is ever read as a request.
 *
 * <p>Netty 4.2's decoder (with {@code io.netty.handler.codec.http.rfc9112TransferEncoding}, on by
 * default) already fails a head with Content-Length beside Transfer-Encoding, a Transfer-Encoding not
 * ending in chunked, chunked twice, or differing Content-Lengths; it marks the message failed and
 * reads nothing more, but the handlers behind it still see the failed head. What it lets through is
 * judged here: Transfer-Encoding in several header lines, and a Content-Length that is not plain
 * digits.
 */
final class Framing {

    /** Why the head is refused. */
    record Refusal(Reason reason, String message) {}

    private Framing() {}

    static Optional<Refusal> judge(HttpRequest head) {
        DecoderResult r = head.decoderResult();
        if (r.isFailure()) {
            return Optional.of(failed(r.cause()));
        }
        HttpHeaders h = head.headers();
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (te.size() > 1) {
            return framing("Transfer-Encoding is repeated");
        }
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                return framing("Content-Length with Transfer-Encoding");
            }
            String[] codings = te.get(0).split(",");
            if (!codings[codings.length - 1].trim().toLowerCase(Locale.ROOT).equals("chunked")) {
                return framing("the last transfer coding is not chunked");
            }
        }
        for (String v : cl) {
            for (String one : v.split(",", -1)) {
                if (!one.trim().matches("[0-9]{1,18}")) {
                    return framing("Content-Length is not a decimal number");
                }
            }
        }
        if (cl.stream()
                        .flatMap(v -> List.of(v.split(",")).stream())
                        .map(String::trim)
                        .distinct()
                        .count()
                > 1) {
            return framing("several differing Content-Length values");
        }
        return Optional.empty();
    }

    /** What the decoder failed on: the message's length (framing), its request line (path) or anything else. */
    private static Refusal failed(Throwable cause) {
        String m = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        String lower = m.toLowerCase(Locale.ROOT);
        if (cause instanceof NumberFormatException
                || lower.contains("content-length")
                || lower.contains("transfer-encoding")
                || lower.contains("transfer coding")
                || lower.contains("chunk")) {
            return new Refusal(Reason.REQUEST_FRAMING_INVALID, "the message length is ambiguous: " + clip(m));
        }
        if (lower.contains("request line") || lower.contains("initial line") || lower.contains("http line")) {
            return new Refusal(Reason.PATH_INVALID, "the request line cannot be read: " + clip(m));
        }
        if (cause instanceof TooLongFrameException) {
            return new Refusal(Reason.TOO_LARGE, "the request head is too large: " + clip(m));
        }
        return new Refusal(Reason.BAD_REQUEST, "the request head cannot be read: " + clip(m));
    }

    private static Optional<Refusal> framing(String message) {
        return Optional.of(new Refusal(Reason.REQUEST_FRAMING_INVALID, message + " (RFC 9112 6.1, 6.3)"));
    }

    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
