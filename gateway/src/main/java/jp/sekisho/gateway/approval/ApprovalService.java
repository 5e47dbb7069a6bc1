package jp.sekisho.gateway.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicyWatcher;

/**
 * The secretariat's use cases: record a consultation, decide, confirm. Each change is written to
 * the audit log (APPROVAL_CHANGED: who, before, after, why) before it is stored, so a change can
 * never be in force without its record; when the audit store is down, nothing changes.
 * Refusals are recorded too (REQUEST_DENIED with the reason).
 */
public final class ApprovalService {

    private final ApprovalRepository repo;
    private final ApprovalPolicy policy;
    private final DataItems items;
    private final AuditLog audit;
    private final PolicyWatcher watcher;
    private final Clock clock;

    public ApprovalService(
            ApprovalRepository repo,
            ApprovalPolicy policy,
            DataItems items,
            AuditLog audit,
            PolicyWatcher watcher,
            Clock clock) {
        this.repo = repo;
        this.policy = policy;
        this.items = items;
        this.audit = audit;
        this.watcher = watcher;
        this.clock = clock;
    }

    public List<Approval> list() {
        return repo.list();
    }

    public Optional<Approval> find(String ref) {
        return repo.find(ref);
    }

    /** Every approval with its seal check (the API shows a failed one as APPROVAL_TAMPERED). */
    public List<StoredApproval> listStored() {
        return repo.loadAll();
    }

    public Optional<StoredApproval> load(String ref) {
        return repo.load(ref);
    }

    public List<DecisionRecord> history(String ref) {
        return repo.history(ref);
    }

    /** Records a new consultation as PENDING. */
    public DecisionOutcome create(Approval draft, Caller caller) {
        Approval a = draft.asPending(draft.ref(), 1);
        List<String> problems = validate(a);
        if (!problems.isEmpty()) {
            return deny(caller, a.ref(), "INVALID_APPROVAL", String.join("; ", problems));
        }
        if (repo.find(a.ref()).isPresent()) {
            return deny(caller, a.ref(), "APPROVAL_EXISTS", a.ref() + " already exists");
        }
        Instant now = clock.instant();
        audit.commit(changed(caller, a.ref(), "create", null, a.status(), "consultation recorded")
                .build());
        if (!repo.create(a, now)) {
            return deny(caller, a.ref(), "APPROVAL_EXISTS", a.ref() + " already exists");
        }
        watcher.reload();
        return new Applied(a, null);
    }

    /** Replaces a consultation's content while it is still PENDING (no decision made yet). */
    public DecisionOutcome update(Approval draft, Caller caller) {
        Optional<StoredApproval> current = repo.load(draft.ref());
        if (current.isEmpty()) {
            return deny(caller, draft.ref(), "APPROVAL_UNKNOWN", "no approval " + draft.ref());
        }
        if (current.get().tampered()) {
            return tampered(caller, current.get(), "edit");
        }
        Approval old = current.get().approval();
        if (old.status() != ApprovalStatus.PENDING || old.pending() != null) {
            return deny(
                    caller,
                    old.ref(),
                    "ILLEGAL_TRANSITION",
                    old.ref() + " can be edited only while PENDING with no " + "decision waiting; it is "
                            + old.status());
        }
        Approval next = draft.asPending(old.ref(), old.version() + 1);
        List<String> problems = validate(next);
        if (!problems.isEmpty()) {
            return deny(caller, old.ref(), "INVALID_APPROVAL", String.join("; ", problems));
        }
        audit.commit(changed(caller, old.ref(), "update", old.status(), next.status(), "consultation edited")
                .build());
        return save(next, null, caller, new Applied(next, null));
    }

    public DecisionOutcome decide(String ref, Decision decision, String reason, Caller caller) {
        Optional<Refused> bad = badInput(caller, ref, reason);
        if (bad.isPresent()) {
            return bad.get();
        }
        Optional<StoredApproval> current = repo.load(ref);
        if (current.isEmpty()) {
            return deny(caller, ref, "APPROVAL_UNKNOWN", "no approval " + ref);
        }
        // a tampered row may only be closed: revoking it seals what is there as REVOKED, which carries nothing
        if (current.get().tampered() && decision != Decision.REVOKE) {
            return tampered(caller, current.get(), decision.cliName());
        }
        Approval a = current.get().approval();
        return record(
                a, policy.decide(a, decision, caller.actor(), reason, clock.instant()), caller, decision.cliName());
    }

    public DecisionOutcome confirm(String ref, String reason, Caller caller) {
        Optional<Refused> bad = badInput(caller, ref, reason);
        if (bad.isPresent()) {
            return bad.get();
        }
        Optional<StoredApproval> current = repo.load(ref);
        if (current.isEmpty()) {
            return deny(caller, ref, "APPROVAL_UNKNOWN", "no approval " + ref);
        }
        if (current.get().tampered()) {
            return tampered(caller, current.get(), "confirm");
        }
        Approval a = current.get().approval();
        return record(a, policy.confirm(a, caller.actor(), reason, clock.instant()), caller, "confirm");
    }

    private DecisionOutcome record(Approval before, DecisionOutcome outcome, Caller caller, String action) {
        if (outcome instanceof Refused r) {
            return deny(caller, before.ref(), r.reason(), r.message());
        }
        if (outcome instanceof AwaitingConfirmation w) {
            audit.commit(changed(
                            caller,
                            before.ref(),
                            action,
                            before.status(),
                            before.status(),
                            w.pending().reason())
                    .detailJson(new Detail()
                            .put("action", action)
                            .put("before", before.status())
                            .put("after", before.status())
                            .put("awaiting", w.pending().decision().cliName())
                            .put("by", caller.principal().subject())
                            .put("reason", w.pending().reason())
                            .toString())
                    .build());
            return save(w.approval(), null, caller, w);
        }
        Applied a = (Applied) outcome;
        DecisionRecord d = a.record();
        audit.commit(changed(caller, before.ref(), action, d.before(), d.after(), d.reason())
                .detailJson(new Detail()
                        .put("action", action)
                        .put("decision", d.decision().cliName())
                        .put("before", d.before())
                        .put("after", d.after())
                        .put("by", d.by().subject())
                        .put(
                                "confirmedBy",
                                d.confirmedBy() == null ? null : d.confirmedBy().subject())
                        .put("reason", d.reason())
                        .toString())
                .build());
        return save(a.approval(), d, caller, a);
    }

    private DecisionOutcome save(Approval next, DecisionRecord d, Caller caller, DecisionOutcome result) {
        try {
            repo.save(next, d, clock.instant());
        } catch (ApprovalRepository.ConcurrentChange e) {
            // The audit log already says what was attempted; say that it did not happen.
            audit.commit(caller.stamp(AuditEvent.of(EventType.APPROVAL_CHANGED, Outcome.ERROR))
                    .reason("CONCURRENT_CHANGE")
                    .approvalRef(next.ref())
                    .detailJson(new Detail().put("error", e.getMessage()).toString())
                    .build());
            return new Refused("CONCURRENT_CHANGE", e.getMessage());
        }
        watcher.reload();
        return result;
    }

    private AuditEvent.Builder changed(
            Caller caller, String ref, String action, ApprovalStatus before, ApprovalStatus after, String reason) {
        return caller.stamp(AuditEvent.of(EventType.APPROVAL_CHANGED, Outcome.ALLOW))
                .approvalRef(ref)
                .detailJson(new Detail()
                        .put("action", action)
                        .put("before", before)
                        .put("after", after)
                        .put("by", caller.principal().subject())
                        .put("reason", reason)
                        .toString());
    }

    /** A reference or reason a decision cannot take (ID_INVALID, FIELD_INVALID), refused before any lookup. */
    private Optional<Refused> badInput(Caller caller, String ref, String reason) {
        Optional<String> p = Ids.APPROVAL_REF.problem(ref);
        if (p.isPresent()) {
            return Optional.of(deny(caller, ref, "ID_INVALID", p.get()));
        }
        return Fields.problem("reason", reason, Fields.TEXT).map(m -> deny(caller, ref, "FIELD_INVALID", m));
    }

    private Refused tampered(Caller caller, StoredApproval s, String action) {
        return deny(
                caller,
                s.approval().ref(),
                "APPROVAL_TAMPERED",
                "cannot " + action + " " + s.approval().ref() + ": its row was changed outside the gateway ("
                        + s.tamper() + "); only revoke is possible, then record it again under a new reference");
    }

    private Refused deny(Caller caller, String ref, String reason, String message) {
        audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY))
                .reason(reason)
                // a reference breaking its grammar is not recorded as one (the audit store bounds its fields)
                .approvalRef(Ids.APPROVAL_REF.valid(ref) ? ref : null)
                .detailJson(new Detail().put("message", message).toString())
                .build());
        return new Refused(reason, message);
    }

    private List<String> validate(Approval a) {
        List<String> p = new ArrayList<>();
        if (a.ref() == null || a.ref().isBlank()) {
            p.add("ref is required");
        } else {
            Ids.APPROVAL_REF.problem(a.ref()).ifPresent(m -> p.add("ref: " + m));
        }
        Fields.problem("title", a.title(), Fields.NAME).ifPresent(p::add);
        Fields.problem("legalBasis", a.legalBasis(), Fields.TEXT).ifPresent(p::add);
        Fields.problem("contractor", a.contractor(), Fields.NAME).ifPresent(p::add);
        Fields.problem("meetingRef", a.meetingRef(), Fields.NAME).ifPresent(p::add);
        Fields.problem("conditions.text", a.conditions().text(), Fields.TEXT).ifPresent(p::add);
        for (String d : a.departments()) {
            Fields.problem("departments", d, Fields.NAME).ifPresent(p::add);
        }
        for (String d : a.subcontractors()) {
            Fields.problem("subcontractors", d, Fields.NAME).ifPresent(p::add);
        }
        if (a.departments().size() > 100
                || a.subcontractors().size() > 100
                || a.dataItems().size() > 200) {
            p.add("departments, subcontractors or dataItems list too long");
        }
        if (a.title() == null || a.title().isBlank()) {
            p.add("title is required");
        }
        if (a.legalBasis() == null || a.legalBasis().isBlank()) {
            p.add("legalBasis is required");
        }
        if (a.contractor() == null || a.contractor().isBlank()) {
            p.add("contractor is required");
        }
        if (a.dataItems().isEmpty()) {
            p.add("at least one data item is required");
        }
        for (String code : a.dataItems()) {
            if (!Ids.DATA_ITEM.valid(code)) {
                p.add("dataItems: " + Ids.DATA_ITEM.problem(code).orElse(""));
            } else if (items.find(code).isEmpty()) {
                p.add("unknown data item '" + code + "'");
            }
        }
        if (a.maxRecords() < 0) {
            p.add("maxRecords must be 0 or more");
        }
        if (a.validFrom() == null || a.validUntil() == null) {
            p.add("validFrom and validUntil are required");
        } else if (a.validFrom().isAfter(a.validUntil())) {
            p.add("validFrom is after validUntil");
        }
        return p;
    }
}
