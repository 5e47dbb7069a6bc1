package jp.sekisho.gateway.http;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.store.PostgresAuditLog;

/** Binds what the gateway does not count itself: the JVM, the process, the audit store and its pool. */
public final class MetricBinders {

    private MetricBinders() {}

    /** JVM memory, GC, threads, class loading, CPU, file descriptors and uptime. */
    public static void jvm(Metrics metrics) {
        MeterRegistry r = metrics.registry();
        new JvmMemoryMetrics().bindTo(r);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(r);
        metrics.closeWith(gc); // it holds GC notification listeners
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
    }

    /**
     * The audit queue's depth, each batch's commit time, and the HikariCP pool the store uses
     * ({@code hikaricp_connections_*}, labelled by pool name).
     */
    public static void auditStore(Metrics metrics, AuditStore store) {
        PostgresAuditLog log = store.postgresLog();
        metrics.gauge(Metrics.AUDIT_QUEUE, "audit events queued and not yet written", log::queued);
        log.observeWrites((events, nanos) -> metrics.auditWrite(events, nanos));
        pool(metrics, store.database().dataSource());
    }

    private static void pool(Metrics metrics, DataSource ds) {
        if (ds instanceof HikariDataSource h && h.getMetricsTrackerFactory() == null && h.getMetricRegistry() == null) {
            h.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics.registry()));
        }
    }
}
