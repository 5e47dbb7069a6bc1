package jp.sekisho.gateway.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.ExportFormat;

/**
 * Reads the audit API's query parameters. Every mistake is an {@link IllegalArgumentException} whose
 * message names the parameter and what it must be (answered 400 QUERY_INVALID), never something
 * that reaches the store and comes back as a database error.
 */
final class AuditQueryParams {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private AuditQueryParams() {}

    static AuditQuery query(HttpParameters p) {
        AuditQuery q = AuditQuery.all().between(time("from", p.get("from")), time("to", p.get("to")));
        String types = p.get("type");
        if (types != null && !types.isBlank()) {
            Set<EventType> set = EnumSet.noneOf(EventType.class);
            for (String t : types.split(",", -1)) {
                set.add(constant("type", EventType.class, t));
            }
            q = q.types(set);
        }
        if (p.get("outcome") != null) {
            q = q.outcome(constant("outcome", Outcome.class, p.get("outcome")));
        }
        q = q.reason(p.get("reason"))
                .principal(p.get("principal"))
                .source(p.get("source"))
                .route(p.get("route"))
                .transfer(p.get("transfer"))
                .node(p.get("node"));
        String after = p.get("afterSeq");
        if (after != null) {
            q = q.after(p.get("node"), number("afterSeq", after, 0, Long.MAX_VALUE));
        }
        return q;
    }

    static int limit(@Nullable String s) {
        return s == null ? DEFAULT_LIMIT : (int) number("limit", s, 1, MAX_LIMIT);
    }

    static ExportFormat format(@Nullable String s) {
        return s == null ? ExportFormat.JSONL : constant("format", ExportFormat.class, s);
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

    private static Instant time(String name, @Nullable String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(name + ": ISO-8601の日時または日付を指定してください / must be an ISO-8601 instant "
                        + "or date (e.g. 2026-12-03T09:00:00Z or 2026-12-03), not '" + clip(s) + "'");
            }
        }
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
