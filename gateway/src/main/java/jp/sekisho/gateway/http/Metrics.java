package jp.sekisho.gateway.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A few counters in Prometheus text exposition format (version 0.0.4), hand-rolled: two counter
 * families do not justify Micrometer's dependency tree and its start-up cost.
 * <ul>
 *   <li>{@code sekisho_connections_total{listener,outcome,reason}}: accepted and refused connections
 *       (reason IP_NOT_ALLOWED, PROXY_NOT_TRUSTED, UNKNOWN_CA, ... or OK);</li>
 *   <li>{@code sekisho_requests_total{listener,outcome,reason}}: HTTP requests allowed or denied;</li>
 *   <li>gauges {@code sekisho_spool_usable_bytes}, {@code sekisho_spool_used_bytes} and
 *       {@code sekisho_spool_reserve_bytes}: the spool filling up (SPOOL_FULL below the reserve).</li>
 * </ul>
 */
public final class Metrics {

    public static final String CONNECTIONS = "sekisho_connections_total";
    public static final String REQUESTS = "sekisho_requests_total";

    public static final String SPOOL_USABLE = "sekisho_spool_usable_bytes";
    public static final String SPOOL_USED = "sekisho_spool_used_bytes";
    public static final String SPOOL_RESERVE = "sekisho_spool_reserve_bytes";

    private final Map<String, Map<String, LongAdder>> families = new ConcurrentHashMap<>();
    /** Values read when scraped, by name. */
    private final Map<String, Gauge> gauges = new java.util.concurrent.ConcurrentSkipListMap<>();

    private record Gauge(String help, java.util.function.LongSupplier value) {}

    /** Registers a gauge, read at every scrape (e.g. the spool's free bytes). */
    public void gauge(String name, String help, java.util.function.LongSupplier value) {
        gauges.put(name, new Gauge(help, value));
    }

    /** A gauge's current value (tests); -1 when there is none. */
    public long gaugeValue(String name) {
        Gauge g = gauges.get(name);
        return g == null ? -1 : g.value().getAsLong();
    }

    public void connection(String listener, String outcome, String reason) {
        count(CONNECTIONS, listener, outcome, reason);
    }

    public void request(String listener, String outcome, String reason) {
        count(REQUESTS, listener, outcome, reason);
    }

    private void count(String family, String listener, String outcome, String reason) {
        String labels =
                "listener=\"" + esc(listener) + "\",outcome=\"" + esc(outcome) + "\",reason=\"" + esc(reason) + "\"";
        families.computeIfAbsent(family, f -> new ConcurrentHashMap<>())
                .computeIfAbsent(labels, l -> new LongAdder())
                .increment();
    }

    public long value(String family, String listener, String outcome, String reason) {
        Map<String, LongAdder> f = families.get(family);
        LongAdder a = f == null
                ? null
                : f.get("listener=\"" + esc(listener) + "\",outcome=\"" + esc(outcome) + "\",reason=\"" + esc(reason)
                        + "\"");
        return a == null ? 0 : a.sum();
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        family(sb, CONNECTIONS, "TCP connections by listener, outcome and reason");
        family(sb, REQUESTS, "HTTP requests by listener, outcome and reason");
        gauges.forEach((name, g) -> sb.append("# HELP ")
                .append(name)
                .append(' ')
                .append(g.help())
                .append("\n# TYPE ")
                .append(name)
                .append(" gauge\n")
                .append(name)
                .append(' ')
                .append(g.value().getAsLong())
                .append('\n'));
        return sb.toString();
    }

    private void family(StringBuilder sb, String name, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        Map<String, LongAdder> f = families.get(name);
        if (f != null) {
            new TreeMap<>(f)
                    .forEach((labels, v) -> sb.append(name)
                            .append('{')
                            .append(labels)
                            .append("} ")
                            .append(v.sum())
                            .append('\n'));
        }
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
