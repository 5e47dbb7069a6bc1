package jp.sekisho.gateway.policy;

import java.util.HashSet;
import java.util.Set;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator, once per finding, that an approval or route row failed its seal check: an
 * ERROR log line (Japanese and English) saying what to do, and an audit event (APPROVAL_CHANGED or
 * ROUTE_CHANGED, outcome ERROR, reason APPROVAL_TAMPERED) naming the row and what failed. The row
 * stays refused at every check until it is sealed again by the gateway itself.
 */
public final class TamperAlarm {

    private static final Logger LOG = LoggerFactory.getLogger(TamperAlarm.class);

    private final AuditLog audit;
    private final Set<String> reported = new HashSet<>();

    /** {@code audit} null only in tests that look at snapshots alone. */
    public TamperAlarm(AuditLog audit) {
        this.audit = audit;
    }

    /** Reports what is new in this snapshot; a finding that disappears may be reported again later. */
    public synchronized void check(PolicySnapshot s) {
        Set<String> now = new HashSet<>();
        s.tamperedApprovals().forEach((ref, problem) -> report(now, "approval", ref, problem));
        s.tamperedRoutes().forEach((id, problem) -> report(now, "route", id, problem));
        reported.retainAll(now);
    }

    private void report(Set<String> now, String kind, String id, String problem) {
        String key = kind + "\u0000" + id + "\u0000" + problem;
        now.add(key);
        if (!reported.add(key)) {
            return;
        }
        boolean approval = kind.equals("approval");
        LOG.error(
                "{} {} の記録が関所の外で変更されました ({})。この{}による転送はすべて拒否します (APPROVAL_TAMPERED)。"
                        + "データベースへの書き込み権限を持つ者を調査し、正しい記録をバックアップまたは監査ログから確認してください。"
                        + "承認は revoke して新しい参照番号で登録し直すか、経路は routes apply で適用し直してください / "
                        + "the {} row {} was changed outside the gateway ({}); every transfer on it is refused "
                        + "(APPROVAL_TAMPERED). Find out who can write to the database, check the true record against "
                        + "backups and the audit log (APPROVAL_CHANGED / ROUTE_CHANGED events), then revoke the approval "
                        + "and record it again under a new reference, or re-apply the routes file (routes apply)",
                approval ? "承認" : "経路",
                id,
                problem,
                approval ? "承認" : "経路",
                kind,
                id,
                problem);
        if (audit == null) {
            return;
        }
        AuditEvent.Builder e = AuditEvent.of(
                        approval ? EventType.APPROVAL_CHANGED : EventType.ROUTE_CHANGED, Outcome.ERROR)
                .reason("APPROVAL_TAMPERED")
                .detailJson(new Detail()
                        .put("action", "tamper-detected")
                        .put(kind, id)
                        .put("problem", problem)
                        .toString());
        if (approval) {
            e.approvalRef(id);
        } else {
            e.routeId(id);
        }
        try {
            audit.record(e.build());
        } catch (RuntimeException ex) {
            LOG.error("could not record the tamper finding for {} {} in the audit log: {}", kind, id, ex.getMessage());
        }
    }
}
