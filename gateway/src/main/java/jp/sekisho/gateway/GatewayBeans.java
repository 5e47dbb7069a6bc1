package jp.sekisho.gateway;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.admission.AdmissionChain;
import jp.sekisho.gateway.approval.ApprovalService;
import jp.sekisho.gateway.approval.DeletionReportDue;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.deletion.DeletionReportRepository;
import jp.sekisho.gateway.deletion.DeletionReports;
import jp.sekisho.gateway.edge.ListenerAllowlists;
import jp.sekisho.gateway.http.GatewayInfo;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.policy.PolicyServices;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.RouteService;
import jp.sekisho.gateway.tls.ClientCertificateChecker;
import jp.sekisho.gateway.transfer.SpoolSpace;
import jp.sekisho.gateway.transfer.TransferService;
import jp.sekisho.gateway.transfer.TransferServices;

/**
 * The gateway's own beans, built from what {@link Gateway#start} puts into the context (the
 * configuration, the clock, the audit log, the listener facts and, once open, the audit store).
 * They are created on first use, after the store is open: {@link Gateway#start} asks for the
 * transfer service before any listener accepts a connection, so the spool is recovered and the
 * policy loaded first. Micronaut closes them with the context.
 */
@Factory
final class GatewayBeans {

    @Singleton
    @Bean(preDestroy = "close")
    PolicyServices policy(GatewayConfig config, AuditStore store, ListenerAllowlists allowlists, Clock clock) {
        return PolicyServices.start(config, store, allowlists, clock);
    }

    @Singleton
    PolicyWatcher watcher(PolicyServices policy) {
        return policy.watcher();
    }

    @Singleton
    ApprovalService approvals(PolicyServices policy) {
        return policy.approvals();
    }

    @Singleton
    RouteService routes(PolicyServices policy) {
        return policy.routes();
    }

    @Singleton
    AdmissionChain admissionChain(GatewayInfo info, PolicyWatcher watcher, Clock clock) {
        return new AdmissionChain(info, watcher::current, PolicyServices::contains, clock);
    }

    @Singleton
    Admission admission(AdmissionChain chain, AuditLog audit, Metrics metrics) {
        return new Admission(chain, audit, metrics);
    }

    @Singleton
    DeletionReports deletionReports(
            GatewayConfig config,
            AuditStore store,
            ClientCertificateChecker checker,
            AuditLog audit,
            PolicyServices policy,
            Clock clock,
            Metrics metrics) {
        DeletionReportRepository repo =
                new DeletionReportRepository(store.database().dataSource());
        metrics.gauge(
                Metrics.DELETION_REPORTS_OVERDUE,
                "approvals whose deletion report (廃棄報告) is past its due date and not accepted",
                () -> {
                    try {
                        return DeletionReportDue.overdueCount(
                                policy.approvals().list(), repo.acceptedRefs(), clock.instant());
                    } catch (RuntimeException e) {
                        return -1; // the store cannot say now; the scrape itself must still answer
                    }
                });
        return new DeletionReports(repo, checker, audit, PolicyServices::contains, config.nodeId(), clock);
    }

    @Singleton
    @Bean(preDestroy = "close")
    TransferService transfers(
            GatewayConfig config, AuditStore store, PolicyServices policy, Clock clock, Metrics metrics) {
        TransferService transfers = TransferServices.start(config, store, policy, clock, metrics);
        SpoolSpace space = transfers.spool().space();
        metrics.gauge(Metrics.SPOOL_USABLE, "bytes free for uploads on the spool's file system", space::usable);
        metrics.gauge(Metrics.SPOOL_USED, "bytes held by the spool's files", space::used);
        metrics.gauge(Metrics.SPOOL_RESERVE, "bytes of the spool's file system uploads may not take", space::reserve);
        return transfers;
    }
}
