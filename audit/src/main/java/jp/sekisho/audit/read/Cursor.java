package jp.sekisho.audit.read;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.RecordedEvent;

/**
 * A position in the log's (time, node, sequence) order: where a newest-first page ended, or where a
 * live view last looked. (node, sequence) is unique, so the order is total and a page that starts
 * from a cursor neither repeats nor skips an event.
 *
 * <p>As text ({@link #token()}) it is {@code MICROS.SEQ.NODE}: the time in microseconds since the
 * epoch (what the store keeps), the sequence number and the node id in unpadded base64url, e.g.
 * {@code 1764844819123456.42.Z3cx}. Only {@code [0-9A-Za-z._-]}: safe in a URL and on a command line
 * without quoting.
 */
public record Cursor(Instant time, String node, long seq) {

    /** Longest token accepted: a node id is at most 64 characters (up to 256 bytes of UTF-8). */
    public static final int MAX_TOKEN = 400;

    private static final Pattern TOKEN = Pattern.compile("(-?\\d{1,19})\\.(\\d{1,19})\\.([A-Za-z0-9_-]{1,350})");

    public Cursor {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(node, "node");
        QueryChecks.text("node", node);
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0");
        }
        time = time.truncatedTo(ChronoUnit.MICROS); // what the store holds: a token round-trips exactly
    }

    /** The position of an event, e.g. the last one of a page. */
    public static Cursor of(RecordedEvent e) {
        return new Cursor(e.time(), e.nodeId(), e.seq());
    }

    public String token() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
        return micros + "." + seq + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(node.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a {@link #token()}. {@code name} is the parameter or option that carried it, for the
     * message (Japanese and English) when it is not one.
     */
    public static Cursor parse(String name, String token) {
        if (token == null || token.length() > MAX_TOKEN) {
            throw bad(name, token);
        }
        Matcher m = TOKEN.matcher(token.trim());
        if (!m.matches()) {
            throw bad(name, token);
        }
        try {
            long micros = Long.parseLong(m.group(1));
            long seq = Long.parseLong(m.group(2));
            String node = new String(Base64.getUrlDecoder().decode(m.group(3)), StandardCharsets.UTF_8);
            if (node.isEmpty() || node.indexOf('\uFFFD') >= 0) {
                throw bad(name, token);
            }
            return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), node, seq);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw bad(name, token);
        }
    }

    private static IllegalArgumentException bad(String name, String token) {
        return new IllegalArgumentException(name + ": 前のページが示したカーソルをそのまま指定してください"
                + " / must be the cursor a previous page gave (e.g. 1764844819123456.42.Z3cx), not '"
                + (token == null ? "" : QueryChecks.clip(token)) + "'");
    }

    @Override
    public String toString() {
        return token();
    }
}
