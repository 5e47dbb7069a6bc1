package jp.sekisho.gateway.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The gateway's metrics on Micrometer, exposed in the Prometheus text format. Every label value is
 * bounded: reason codes and methods come from fixed sets ({@link MetricLabels}), listeners and routes
 * from the configuration and the policy store; never a path, an address or an id. docs/metrics.md
 * lists each metric with its type and labels.
 */
public final class Metrics implements AutoCloseable {

    /** Prometheus names of the families (Micrometer names them without {@code _total}). */
    public static final String CONNECTIONS = "sekisho_connections_total";

    public static final String REQUESTS = "sekisho_requests_total";
    public static final String REFUSALS = "sekisho_refusals_total";
    public static final String TRANSFERS = "sekisho_transfers_total";
    public static final String TRANSFER_BYTES = "sekisho_transfer_bytes_total";
    public static final String REQUEST_SECONDS = "sekisho_request_duration_seconds";
    public static final String AUDIT_QUEUE = "sekisho_audit_queue_events";
    public static final String AUDIT_WRITE_SECONDS = "sekisho_audit_write_seconds";

    public static final String DELETION_REPORTS_OVERDUE = "sekisho_deletion_reports_overdue";
    public static final String SPOOL_USABLE = "sekisho_spool_usable_bytes";
    public static final String SPOOL_USED = "sekisho_spool_used_bytes";
    public static final String SPOOL_RESERVE = "sekisho_spool_reserve_bytes";

    /** What {@link #render()} returns: the Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Latency buckets a dashboard reads directly; with the bounded percentile histogram between them. */
    private static final Duration[] SLO = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** The registry, for binders (JVM, HikariCP) and tests. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Registers a gauge read at every scrape (e.g. the spool's free bytes). Registering a name again
     * replaces the value read (a reloaded CRL, a renewed certificate).
     *
     * @param name the Prometheus name, e.g. {@code sekisho_spool_usable_bytes}
     */
    public void gauge(String name, String help, LongSupplier value) {
        if (gauges.put(name, value) == null) {
            Gauge.builder(name, gauges, g -> {
                        LongSupplier s = g.get(name);
                        return s == null ? Double.NaN : (double) s.getAsLong();
                    })
                    .description(help)
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** A gauge's current value (tests); -1 when there is none. */
    public long gaugeValue(String name) {
        LongSupplier g = gauges.get(name);
        return g == null ? -1 : g.getAsLong();
    }

    /** A connection accepted (ALLOW, OK) or refused before or during TLS (DENY with the edge's or TLS's reason). */
    public void connection(String listener, String outcome, String reason) {
        String r = MetricLabels.reason(reason);
        Counter.builder("sekisho.connections")
                .description("TCP connections by listener, outcome and reason")
                .tags("listener", MetricLabels.name(listener), "outcome", MetricLabels.outcome(outcome), "reason", r)
                .register(registry)
                .increment();
        if (!"ALLOW".equals(outcome)) {
            refusal(MetricLabels.stage(reason, "edge"), r);
        }
    }

    /**
     * An HTTP request answered (ALLOW, OK) or refused with its reason, with its latency since
     * {@code startNanos} ({@link System#nanoTime()} when it arrived).
     */
    public void request(String listener, String method, String outcome, String reason, long startNanos) {
        String l = MetricLabels.name(listener);
        String o = MetricLabels.outcome(outcome);
        String r = MetricLabels.reason(reason);
        Counter.builder("sekisho.requests")
                .description("HTTP requests by listener, method, outcome and reason")
                .tags("listener", l, "method", MetricLabels.method(method), "outcome", o, "reason", r)
                .register(registry)
                .increment();
        Timer.builder("sekisho.request.duration")
                .description("time from a request's arrival to its answer, by listener and outcome")
                .tags("listener", l, "outcome", o)
                .serviceLevelObjectives(SLO)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(Math.max(0, System.nanoTime() - startNanos), TimeUnit.NANOSECONDS);
        if (!"ALLOW".equals(o)) {
            refusal(MetricLabels.stage(reason, "request"), r);
        }
    }

    /** A refusal at a stage with no request or connection of its own to count (e.g. a payload check). */
    public void refusal(String stage, String reason) {
        Counter.builder("sekisho.refusals")
                .description("refusals by stage (edge, tls, request, protocol, payload, policy, relay, ...) and reason")
                .tags("stage", MetricLabels.stage(stage), "reason", MetricLabels.reason(reason))
                .register(registry)
                .increment();
    }

    /** A transfer changed state: STARTED, STORED, DELIVERED, ACKNOWLEDGED, PURGED, REJECTED, ABORTED, EXPIRED. */
    public void transfer(String route, String outcome) {
        Counter.builder("sekisho.transfers")
                .description("transfer state changes by route and outcome")
                .tags("route", MetricLabels.name(route), "outcome", MetricLabels.reason(outcome))
                .register(registry)
                .increment();
    }

    /** Payload bytes that came in (upload) or went out (download) on a route. */
    public void bytes(String route, String direction, long bytes) {
        if (bytes <= 0) {
            return;
        }
        Counter.builder("sekisho.transfer.bytes")
                .description("payload bytes by route and direction (upload, download)")
                .tags(
                        "route",
                        MetricLabels.name(route),
                        "direction",
                        "upload".equals(direction) ? "upload" : "download")
                .register(registry)
                .increment((double) bytes);
    }

    /** A batch of audit events committed, and how long its commit took. */
    public void auditWrite(int events, long nanos) {
        Timer.builder("sekisho.audit.write")
                .description("time to commit one batch of audit events (group commit)")
                .serviceLevelObjectives(SLO)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Something to close with the registry (a binder holding listeners, e.g. the GC metrics). */
    public synchronized void closeWith(AutoCloseable c) {
        closeables.add(c);
    }

    /**
     * The sum of a family's counters whose labels match (tests): {@code value(REQUESTS, listener,
     * outcome, reason)} sums over methods.
     */
    public long value(String family, String listener, String outcome, String reason) {
        return (long) sum(family, "listener", listener, "outcome", outcome, "reason", reason);
    }

    /** The sum of a counter family's series whose labels include the given ones (name, value, ...). */
    public double sum(String family, String... labels) {
        String name = family.replace("_total", "").replace('_', '.');
        double total = 0;
        for (Meter m : registry.find(name).counters()) {
            if (matches(m, labels)) {
                total += ((Counter) m).count();
            }
        }
        return total;
    }

    /** How many latencies a timer family recorded for the given labels (tests). */
    public long timerCount(String micrometerName, String... labels) {
        long n = 0;
        for (Timer t : registry.find(micrometerName).timers()) {
            if (matches(t, labels)) {
                n += t.count();
            }
        }
        return n;
    }

    private static boolean matches(Meter m, String... labels) {
        List<Tag> tags = m.getId().getTags();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            String k = labels[i];
            String v = labels[i + 1];
            if (tags.stream()
                    .noneMatch(t -> t.getKey().equals(k) && t.getValue().equals(v))) {
                return false;
            }
        }
        return true;
    }

    /** The Prometheus text exposition of every meter. */
    public String render() {
        return registry.scrape(CONTENT_TYPE);
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway: a binder's listeners die with the JVM
            }
        }
        closeables.clear();
        registry.close();
    }
}
