package jp.sekisho.gateway.report;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.keys.KeyRegistry;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalService;
import jp.sekisho.gateway.approval.ApprovalState;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.StoredApproval;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.RouteStatus;

/**
 * Builds the council's reports: audits the read first (AUDIT_READ, op "report", committed before anything is
 * read, so a store that cannot record it refuses the report), then the approval's facts, its figures from
 * the audit store and the chain's verification.
 */
@Singleton
public final class ReportService {

    private final ApprovalService approvals;
    private final PolicyWatcher policy;
    private final AuditStore store;
    private final ReportStore sql;
    private final Clock clock;
    private final String node;

    public ReportService(
            ApprovalService approvals, PolicyWatcher policy, AuditStore store, Clock clock, GatewayConfig config) {
        this.approvals = approvals;
        this.policy = policy;
        this.store = store;
        this.sql = new ReportStore(store.database().dataSource());
        this.clock = clock;
        this.node = config.nodeId();
    }

    /** The approval {@code ref} (normalised as elsewhere), or empty when there is none. */
    public Optional<Approval> find(String ref) {
        return approvals.load(ref).map(StoredApproval::approval);
    }

    /** One approval's report over {@code period} (null: the approval's validity). */
    public Report approval(Approval a, ReportPeriod period, String format, Caller caller) {
        ReportPeriod p = period != null ? period : new ReportPeriod(a.validFrom(), a.validUntil());
        audit(caller, "approval", a.ref(), p, format);
        List<ApprovalSection> sections = List.of(section(a, p, policy.current()));
        return new Report(Report.Kind.APPROVAL, p, 0, clock.instant(), node, sections, chain(p, caller));
    }

    /** Every approval whose validity meets {@code period} and that was ever decided to carry data. */
    public Report year(ReportPeriod p, int year, String format, Caller caller) {
        audit(caller, "year", null, p, format);
        PolicySnapshot snapshot = policy.current();
        List<ApprovalSection> sections = new ArrayList<>();
        approvals.listStored().stream()
                .map(StoredApproval::approval)
                .filter(a -> p.overlaps(a.validFrom(), a.validUntil()))
                .filter(a -> a.status() != ApprovalStatus.PENDING
                        && a.status() != ApprovalStatus.WITHDRAWN
                        && a.status() != ApprovalStatus.REJECTED)
                .sorted(Comparator.comparing(Approval::validFrom).thenComparing(Approval::ref))
                .limit(MAX_SECTIONS)
                .forEach(a -> sections.add(section(a, p, snapshot)));
        return new Report(Report.Kind.YEAR, p, year, clock.instant(), node, sections, chain(p, caller));
    }

    /** The most approvals one yearly report holds (a municipality has tens a year; bounds the work). */
    static final int MAX_SECTIONS = 500;

    private ApprovalSection section(Approval a, ReportPeriod p, PolicySnapshot snapshot) {
        var now = clock.instant();
        ApprovalState state = ApprovalState.of(a, now);
        String stateJa;
        String stateEn;
        if (state == ApprovalState.IN_FORCE) {
            stateJa = "有効（" + a.status().japanese() + "）";
            stateEn = "in force (" + a.status().english() + ")";
        } else {
            var r = jp.sekisho.gateway.admission.Reason.valueOf(state.name());
            stateJa = r.ja();
            stateEn = r.en();
        }
        List<ApprovalSection.RouteLine> routes = new ArrayList<>();
        snapshot.routes().values().stream()
                .filter(r -> r.approvalRef().equals(a.ref()))
                .sorted(Comparator.comparing(jp.sekisho.gateway.route.Route::id))
                .forEach(r -> {
                    RouteStatus s = RouteStatus.of(snapshot, r, now);
                    routes.add(
                            new ApprovalSection.RouteLine(r.id(), "TRANSFER", r.listener(), s.code(), s.ja(), s.en()));
                });
        snapshot.relays().values().stream()
                .filter(r -> r.approvalRef().equals(a.ref()))
                .sorted(Comparator.comparing(jp.sekisho.gateway.relay.RelayRoute::id))
                .forEach(r -> {
                    RouteStatus s = RouteStatus.of(snapshot, r, now);
                    routes.add(new ApprovalSection.RouteLine(r.id(), "RELAY", r.listener(), s.code(), s.ja(), s.en()));
                });
        List<String> items =
                a.dataItems().stream().map(approvals.dataItems()::label).toList();
        return new ApprovalSection(
                a,
                stateJa,
                stateEn,
                snapshot.tamperedApprovals().get(a.ref()),
                items,
                approvals.history(a.ref()),
                routes,
                sql.transfers(a.ref(), p),
                sql.refusals(a.ref(), p),
                sql.deletion(a.ref(), a.conditions().deletionReportDue(), clock));
    }

    private ChainCheck chain(ReportPeriod p, Caller caller) {
        VerifyResult r = store.reader()
                .verify(KeyRegistry.keySet(store.database().dataSource()), null, caller.principal(), false);
        List<ChainCheck.Bound> bounds = sql.bounds(p);
        if (r instanceof VerifyResult.Ok ok) {
            return new ChainCheck(true, ok.events(), ok.checkpoints(), null, bounds);
        }
        VerifyResult.Broken b = (VerifyResult.Broken) r;
        return new ChainCheck(false, 0, 0, b.kind() + " at " + b.nodeId() + "#" + b.seq() + ": " + b.message(), bounds);
    }

    private void audit(Caller caller, String kind, String ref, ReportPeriod p, String format) {
        StringBuilder d = new StringBuilder("{\"op\":\"report\",\"report\":");
        Json.quote(d, kind);
        if (ref != null) {
            d.append(",\"approval\":");
            Json.quote(d, ref);
        }
        d.append(",\"from\":\"")
                .append(p.from())
                .append("\",\"to\":\"")
                .append(p.to())
                .append("\",\"format\":");
        Json.quote(d, format).append('}');
        AuditEvent.Builder b = caller.stamp(AuditEvent.of(EventType.AUDIT_READ, Outcome.ALLOW))
                .approvalRef(ref)
                .detailJson(d.toString());
        store.log().commit(b.build());
    }
}
