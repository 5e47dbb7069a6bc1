package jp.sekisho.gateway.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.Cursor;
import jp.sekisho.audit.read.ExportFormat;
import jp.sekisho.audit.read.QueryParameters;
import jp.sekisho.audit.read.TimeInput;

/**
 * Reads the audit API's (and the console's) query parameters. Every mistake is an {@link
 * IllegalArgumentException} whose message names the parameter and what it must be, Japanese and
 * English (answered 400 QUERY_INVALID), never something that reaches the store and comes back as a
 * database error.
 *
 * <p>Parameters: {@code since} (30m, 1h, 1d, 7d: relative to now) or {@code from}, and {@code to}
 * (instants, or Japan time such as {@code 2026-12-04 09:00}, or dates, see {@link TimeInput}); {@code
 * type} (comma-separated), {@code outcome}, {@code reason}, {@code principal} (the DN however written,
 * serial or fingerprint), {@code source} (IP or CIDR), {@code route}, {@code approval}, {@code
 * transfer}, {@code node}; {@code order} ({@code chain}, the default, or {@code newest}); paging:
 * {@code before} (a cursor, newest first), {@code newerThan} (a cursor), {@code afterNode} and
 * {@code afterSeq} (chain order); {@code limit}. {@link QueryParameters} writes a query back in the
 * same names.
 */
final class AuditQueryParams {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private AuditQueryParams() {}

    static AuditQuery query(HttpParameters p) {
        return query(p, Clock.systemUTC());
    }

    static AuditQuery query(HttpParameters p, Clock clock) {
        Instant from = TimeInput.instant("from", p.get("from"));
        Instant since = TimeInput.since("since", p.get("since"), clock);
        if (since != null && from != null) {
            throw new IllegalArgumentException(
                    "since/from: どちらか一方を指定してください" + " / give either since (relative) or from (a time), not both");
        }
        AuditQuery q = AuditQuery.all().between(since != null ? since : from, TimeInput.instant("to", p.get("to")));
        String types = p.get("type");
        if (types != null && !types.isBlank()) {
            Set<EventType> set = EnumSet.noneOf(EventType.class);
            for (String t : types.split(",", -1)) {
                set.add(constant("type", EventType.class, t));
            }
            q = q.types(set);
        }
        if (present(p.get("outcome"))) {
            q = q.outcome(constant("outcome", Outcome.class, p.get("outcome")));
        }
        q = q.reason(text(p.get("reason")))
                .principal(text(p.get("principal")))
                .source(text(p.get("source")))
                .route(text(p.get("route")))
                .approval(text(p.get("approval")))
                .transfer(text(p.get("transfer")))
                .node(text(p.get("node")))
                .order(order(p.get("order")));
        if (present(p.get("before"))) {
            q = q.before(Cursor.parse("before", p.get("before")));
        }
        if (present(p.get("newerThan"))) {
            q = q.newerThan(Cursor.parse("newerThan", p.get("newerThan")));
        }
        String after = p.get("afterSeq");
        if (after != null) {
            String afterNode = present(p.get("afterNode")) ? p.get("afterNode") : text(p.get("node"));
            q = q.after(afterNode, number("afterSeq", after, 0, Long.MAX_VALUE));
        }
        return q;
    }

    static int limit(@Nullable String s) {
        return s == null ? DEFAULT_LIMIT : (int) number("limit", s, 1, MAX_LIMIT);
    }

    static ExportFormat format(@Nullable String s) {
        return s == null ? ExportFormat.JSONL : constant("format", ExportFormat.class, s);
    }

    private static AuditQuery.Order order(@Nullable String s) {
        if (!present(s)) {
            return AuditQuery.Order.CHAIN;
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case QueryParameters.CHAIN -> AuditQuery.Order.CHAIN;
            case QueryParameters.NEWEST -> AuditQuery.Order.NEWEST_FIRST;
            default ->
                throw new IllegalArgumentException("order: chain か newest を指定してください"
                        + " / must be chain (node and sequence) or newest (newest first), not '" + clip(s) + "'");
        };
    }

    /** An empty filter field (a form submitted with the box left blank) filters nothing. */
    private static @Nullable String text(@Nullable String s) {
        return present(s) ? s : null;
    }

    private static boolean present(@Nullable String s) {
        return s != null && !s.isBlank();
    }

    private static long number(String name, String s, long min, long max) {
        try {
            long v = Long.parseLong(s.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": " + min + "〜" + max + "の整数を指定してください / must be an integer from "
                + min + " to " + max + ", not '" + clip(s) + "'");
    }

    private static <E extends Enum<E>> E constant(String name, Class<E> type, String s) {
        try {
            return Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": 次のいずれかを指定してください / must be one of "
                    + Arrays.toString(type.getEnumConstants()) + ", not '" + clip(s) + "'");
        }
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
