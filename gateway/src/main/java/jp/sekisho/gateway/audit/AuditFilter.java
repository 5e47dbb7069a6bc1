package jp.sekisho.gateway.audit;

import io.micronaut.core.convert.ConversionService;
import io.micronaut.http.HttpParameters;
import io.micronaut.http.simple.SimpleHttpParameters;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.cli.JapaneseDates;

/**
 * The audit page's filter as the person filled it in: kept as text, to fill the form in again and to
 * carry the same filter into the export links and the next page's link. Blank fields are no filter.
 * The text becomes an {@link AuditQuery} only through {@link AuditQueryParams}, the same reading the
 * audit API does, so the page and the API can never disagree on what a filter means.
 */
public record AuditFilter(Map<String, String> values) {

    /** The form's fields, in the order links carry them. */
    static final List<String> FIELDS = List.of(
            "since", "from", "to", "type", "outcome", "reason", "principal", "source", "route", "approval", "transfer");

    /** Longer than any filter value can usefully be; AuditQuery bounds each one again. */
    static final int MAX_CHARS = 1024;

    /** 2026-12-04 21:20:19.123456789: a Japan time that TimeInput reads back to the same instant. */
    private static final DateTimeFormatter PINNED = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .toFormatter(Locale.ROOT);

    /** No filter: every event. */
    static final AuditFilter NONE = new AuditFilter(Map.of());

    public AuditFilter {
        values = Map.copyOf(values);
    }

    /** The filter fields of a request's query; anything else in it is not part of the filter. */
    static AuditFilter of(HttpParameters p) {
        Map<String, String> v = new LinkedHashMap<>();
        for (String f : FIELDS) {
            String s = p.get(f);
            if (s != null && !s.isBlank()) {
                String t = s.strip();
                if (t.length() > MAX_CHARS) {
                    throw new IllegalArgumentException(f + ": 長すぎます / too long (at most " + MAX_CHARS + " characters)");
                }
                v.put(f, t);
            }
        }
        return new AuditFilter(v);
    }

    /** The value to show in the form ("" when the field is not filled). */
    public String get(String field) {
        return values.getOrDefault(field, "");
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * The query this filter asks for.
     *
     * @throws IllegalArgumentException naming the field and what it must be (QUERY_INVALID)
     */
    AuditQuery query() {
        Map<CharSequence, List<String>> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, List.of(v)));
        return AuditQueryParams.query(new SimpleHttpParameters(m, ConversionService.SHARED));
    }

    /**
     * This filter with a relative {@code since} replaced by the {@code from} it meant for {@code q}
     * (in Japan time, to the nanosecond), so that the next page's window does not slide.
     */
    AuditFilter pinned(AuditQuery q) {
        if (!values.containsKey("since") || q.from() == null) {
            return this;
        }
        Map<String, String> v = new LinkedHashMap<>(values);
        v.remove("since");
        v.put("from", PINNED.format(q.from().atZone(JapaneseDates.TOKYO)));
        return new AuditFilter(v);
    }

    /** The filled fields as a URL query ({@code since=1h&principal=...}), without a leading '?'. */
    public String queryString() {
        return FIELDS.stream()
                .filter(values::containsKey)
                .map(f -> f + "=" + URLEncoder.encode(values.get(f), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** {@code path} with this filter and {@code extra} (already encoded, may be empty) as its query. */
    String link(String path, String extra) {
        String q = queryString();
        String all = q.isEmpty() ? extra : extra.isEmpty() ? q : q + "&" + extra;
        return all.isEmpty() ? path : path + "?" + all;
    }
}
