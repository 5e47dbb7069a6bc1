package jp.sekisho.gateway.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteState;

/**
 * The secretariat's use cases: record a consultation, decide, confirm, and the questions asked
 * before and after (preview of a decision's effect, usage so far). Each change is written to the
 * audit log (APPROVAL_CHANGED: who, before, after, why) before it is stored, so a change can never
 * be in force without its record; when the audit store is down, nothing changes. Refusals are
 * recorded too (REQUEST_DENIED with the reason). What each event says is {@link ApprovalAudit}'s.
 *
 * <p>Every reference number given to a method here is normalised first ({@link RefNumbers}):
 * {@code ８福第３０１号} finds {@code 8福第301号}, and a reference stored before normalisation is found
 * by its normalised form too. The web console and the admin API both call this class.
 */
public final class ApprovalService {

    private final ApprovalRepository repo;
    private final ApprovalPolicy policy;
    private final DataItems items;
    private final ConsultationCheck check;
    private final ApprovalAudit audit;
    private final PolicyWatcher watcher;
    private final Clock clock;
    private final OverdueGate overdue;

    /** Without deletion reports: an approval whose report is due counts as overdue once the date passed. */
    public ApprovalService(
            ApprovalRepository repo,
            ApprovalPolicy policy,
            DataItems items,
            AuditLog auditLog,
            PolicyWatcher watcher,
            Clock clock) {
        this(repo, policy, items, auditLog, watcher, clock, ref -> false);
    }

    /** @param reportAccepted whether an approval (stored reference) has an accepted deletion report */
    public ApprovalService(
            ApprovalRepository repo,
            ApprovalPolicy policy,
            DataItems items,
            AuditLog auditLog,
            PolicyWatcher watcher,
            Clock clock,
            Predicate<String> reportAccepted) {
        this.overdue = new OverdueGate(reportAccepted, clock);
        this.repo = repo;
        this.policy = policy;
        this.items = items;
        this.check = new ConsultationCheck(items);
        this.audit = new ApprovalAudit(auditLog);
        this.watcher = watcher;
        this.clock = clock;
    }

    /** Every approval as stored, by reference number (tampered or not: use {@link #listStored} to show). */
    public List<Approval> list() {
        return repo.list();
    }

    /** The approval {@code ref} names (normalised), as stored. */
    public Optional<Approval> find(String ref) {
        return load(ref).map(StoredApproval::approval);
    }

    /** Every approval with its seal check (the API shows a failed one as APPROVAL_TAMPERED). */
    public List<StoredApproval> listStored() {
        return repo.loadAll();
    }

    /** The approval {@code ref} names (normalised), with its seal check. */
    public Optional<StoredApproval> load(String ref) {
        if (ref == null || ref.isEmpty() || !Ids.APPROVAL_REF.valid(ref.strip())) {
            return Optional.empty();
        }
        Optional<StoredApproval> exact = repo.load(ref); // a reference stored before normalisation, as typed
        if (exact.isPresent()) {
            return exact;
        }
        String n = RefNumbers.normalise(ref);
        if (!Ids.APPROVAL_REF.valid(n)) {
            return Optional.empty();
        }
        if (!n.equals(ref)) {
            Optional<StoredApproval> normal = repo.load(n);
            if (normal.isPresent()) {
                return normal;
            }
        }
        return storedBefore(n).flatMap(repo::load);
    }

    /** The stored reference {@code ref} names once normalised, if an approval has it. */
    public Optional<String> resolve(String ref) {
        return load(ref).map(s -> s.approval().ref());
    }

    /** A reference stored before normalisation (full-width digits, say) whose normalised form is {@code normalised}. */
    private Optional<String> storedBefore(String normalised) {
        return repo.refs().stream()
                .filter(r -> !r.equals(normalised) && normalised.equals(RefNumbers.normalise(r)))
                .findFirst();
    }

    /** The decision history of {@code ref} (normalised), oldest first; empty when there is no such approval. */
    public List<DecisionRecord> history(String ref) {
        return resolve(ref).map(repo::history).orElse(List.of());
    }

    /** The catalogue of data items the consultations choose from (codes, Japanese and English labels). */
    public DataItems dataItems() {
        return items;
    }

    /** Whether flow-opening decisions wait for a second secretariat member (on unless configured off). */
    public boolean twoPersonRule() {
        return policy.twoPersonRule();
    }

    /** What passed under {@code ref} (normalised) so far; {@link ApprovalUsage#NONE} for an unknown approval. */
    public ApprovalUsage usage(String ref) {
        return resolve(ref).map(repo::usage).orElse(ApprovalUsage.NONE);
    }

    /** {@link #usage} of every approval that has any, by stored reference (one query, for lists). */
    public Map<String, ApprovalUsage> usageByRef() {
        return repo.usageByRef();
    }

    /**
     * What {@code d} would do to {@code ref} if it took effect at {@code now}: the status after, whether
     * it waits for a second member, and every route under the approval with its state before and
     * after ("route kurume-benefit will stop carrying data"). Changes nothing and records nothing.
     *
     * @throws DecisionRefusedException when there is no such approval (APPROVAL_UNKNOWN) or the
     *     decision does not apply to it (ILLEGAL_TRANSITION, APPROVAL_FINAL, APPROVAL_TAMPERED)
     */
    public DecisionPreview preview(String ref, Decision d, Instant now) {
        StoredApproval stored =
                load(ref).orElseThrow(() -> new DecisionRefusedException("APPROVAL_UNKNOWN", "no approval " + ref));
        Approval a = stored.approval();
        if (stored.tampered() && d != Decision.REVOKE) {
            throw new DecisionRefusedException(
                    "APPROVAL_TAMPERED",
                    "cannot " + d.cliName() + " " + a.ref() + ": its row was changed outside the gateway ("
                            + stored.tamper() + "); only revoke is possible");
        }
        DecisionOutcome effect = policy.effect(a, d, null, now);
        if (effect instanceof Refused r) {
            throw new DecisionRefusedException(r.reason(), r.message());
        }
        Approval after = ((Applied) effect).approval();
        PolicySnapshot snapshot = watcher.current();
        List<RouteEffect> routes = snapshot.routes().values().stream()
                .filter(r -> r.approvalRef().equals(a.ref()))
                .sorted(Comparator.comparing(Route::id))
                .map(r -> {
                    boolean routeTampered = snapshot.tamperedRoutes().containsKey(r.id());
                    RouteState before =
                            routeTampered || stored.tampered() ? RouteState.APPROVAL_TAMPERED : RouteState.of(a, now);
                    RouteState next = routeTampered ? RouteState.APPROVAL_TAMPERED : RouteState.of(after, now);
                    return new RouteEffect(r.id(), before.name(), next.name());
                })
                .toList();
        return new DecisionPreview(
                a.status().name(), after.status().name(), d.opensFlow() && policy.twoPersonRule(), routes);
    }

    /**
     * Records a new consultation as PENDING, under its normalised reference, with its data items as
     * catalogue codes (each may be given as code, Japanese or English label). Refused
     * APPROVAL_EXISTS when an approval has the same normalised reference.
     */
    public DecisionOutcome create(Approval draft, Caller caller) {
        String ref = RefNumbers.normalise(draft.ref());
        Optional<String> badRef = RefNumbers.problemForNew(ref);
        if (badRef.isPresent()) {
            return audit.deny(caller, ref, "INVALID_APPROVAL", "ref: " + badRef.get());
        }
        ConsultationCheck.Checked checked = check.pending(draft, ref, 1);
        Approval a = checked.approval();
        if (!checked.acceptable()) {
            return audit.deny(caller, a.ref(), "INVALID_APPROVAL", String.join("; ", checked.problems()));
        }
        Optional<String> existing = resolve(a.ref());
        if (existing.isPresent()) {
            return audit.deny(caller, a.ref(), "APPROVAL_EXISTS", existing.get() + " already exists");
        }
        Instant now = clock.instant();
        audit.consultation(caller, a.ref(), "create", null, a.status(), "consultation recorded");
        if (!repo.create(a, now)) {
            return audit.deny(caller, a.ref(), "APPROVAL_EXISTS", a.ref() + " already exists");
        }
        watcher.reload();
        return new Applied(a, null);
    }

    /** Replaces a consultation's content while it is still PENDING (no decision made yet). */
    public DecisionOutcome update(Approval draft, Caller caller) {
        Optional<StoredApproval> current = load(draft.ref());
        if (current.isEmpty()) {
            return audit.deny(caller, draft.ref(), "APPROVAL_UNKNOWN", "no approval " + draft.ref());
        }
        if (current.get().tampered()) {
            return audit.tampered(caller, current.get(), "edit");
        }
        Approval old = current.get().approval();
        if (old.status() != ApprovalStatus.PENDING || old.pending() != null) {
            return audit.deny(
                    caller,
                    old.ref(),
                    "ILLEGAL_TRANSITION",
                    old.ref() + " can be edited only while PENDING with no " + "decision waiting; it is "
                            + old.status());
        }
        ConsultationCheck.Checked checked = check.pending(draft, old.ref(), old.version() + 1);
        Approval next = checked.approval();
        if (!checked.acceptable()) {
            return audit.deny(caller, old.ref(), "INVALID_APPROVAL", String.join("; ", checked.problems()));
        }
        audit.consultation(caller, old.ref(), "update", old.status(), next.status(), "consultation edited");
        return save(next, null, caller, new Applied(next, null));
    }

    /** A decision that gives no conditions. */
    public DecisionOutcome decide(String ref, Decision decision, String reason, Caller caller) {
        return decide(ref, decision, reason, null, caller);
    }

    /**
     * Records a decision on {@code ref} (normalised): applied at once, or, for a flow-opening one
     * under the two-person rule, waiting for a second member's {@link #confirm}.
     *
     * @param conditions the conditions given at the meeting with approve-with-conditions (they replace
     *                   the consultation's when the decision takes effect); null or empty for none. Refused
     *                   CONDITIONS_REQUIRED when approve-with-conditions ends up without conditions' text, or
     *                   conditions come with another decision.
     */
    public DecisionOutcome decide(String ref, Decision decision, String reason, Conditions conditions, Caller caller) {
        return decide(ref, decision, reason, conditions, null, caller);
    }

    /** Whether {@code a}'s deletion report (廃棄報告) is overdue now. */
    public boolean deletionReportOverdue(Approval a) {
        return overdue.overdue(a);
    }

    /**
     * As above; a decision that lets data flow again (reinstate, approve) on an approval whose deletion
     * report is overdue is refused DELETION_REPORT_OVERDUE unless {@code overrideOverdue} gives the reason
     * to go ahead anyway, which is then written into the decision's reason (its record and audit event).
     */
    public DecisionOutcome decide(
            String ref,
            Decision decision,
            String reason,
            Conditions conditions,
            String overrideOverdue,
            Caller caller) {
        Optional<Refused> bad = badInput(caller, ref, reason);
        if (bad.isEmpty() && overrideOverdue != null) {
            bad = Fields.problem("overrideOverdue", overrideOverdue, Fields.TEXT)
                    .map(m -> audit.deny(caller, RefNumbers.normalise(ref), "FIELD_INVALID", m));
        }
        if (bad.isEmpty() && conditions != null) {
            bad = Fields.problem("conditions.text", conditions.text(), Fields.TEXT)
                    .map(m -> audit.deny(caller, RefNumbers.normalise(ref), "FIELD_INVALID", m));
        }
        if (bad.isPresent()) {
            return bad.get();
        }
        Optional<StoredApproval> current = load(ref);
        if (current.isEmpty()) {
            return audit.deny(caller, RefNumbers.normalise(ref), "APPROVAL_UNKNOWN", "no approval " + ref);
        }
        // a tampered row may only be closed: revoking it seals what is there as REVOKED, which carries nothing
        if (current.get().tampered() && decision != Decision.REVOKE) {
            return audit.tampered(caller, current.get(), decision.cliName());
        }
        Approval a = current.get().approval();
        OverdueGate.Verdict v = overdue.judge(a, decision, reason, overrideOverdue);
        if (v instanceof OverdueGate.Verdict.Refuse r) {
            return audit.deny(caller, a.ref(), "DELETION_REPORT_OVERDUE", r.message());
        }
        String recorded = ((OverdueGate.Verdict.Proceed) v).reason();
        return record(
                a,
                policy.decide(a, decision, caller.actor(), recorded, conditions, clock.instant()),
                caller,
                decision.cliName());
    }

    public DecisionOutcome confirm(String ref, String reason, Caller caller) {
        Optional<Refused> bad = badInput(caller, ref, reason);
        if (bad.isPresent()) {
            return bad.get();
        }
        Optional<StoredApproval> current = load(ref);
        if (current.isEmpty()) {
            return audit.deny(caller, RefNumbers.normalise(ref), "APPROVAL_UNKNOWN", "no approval " + ref);
        }
        if (current.get().tampered()) {
            return audit.tampered(caller, current.get(), "confirm");
        }
        Approval a = current.get().approval();
        return record(a, policy.confirm(a, caller.actor(), reason, clock.instant()), caller, "confirm");
    }

    private DecisionOutcome record(Approval before, DecisionOutcome outcome, Caller caller, String action) {
        if (outcome instanceof Refused r) {
            return audit.deny(caller, before.ref(), r.reason(), r.message());
        }
        if (outcome instanceof AwaitingConfirmation w) {
            audit.awaiting(caller, before, action, w.pending());
            return save(w.approval(), null, caller, w);
        }
        Applied a = (Applied) outcome;
        audit.applied(caller, before.ref(), action, a.record());
        return save(a.approval(), a.record(), caller, a);
    }

    private DecisionOutcome save(Approval next, DecisionRecord d, Caller caller, DecisionOutcome result) {
        try {
            repo.save(next, d, clock.instant());
        } catch (ApprovalRepository.ConcurrentChange e) {
            // The audit log already says what was attempted; say that it did not happen.
            return audit.notStored(caller, next.ref(), e);
        }
        watcher.reload();
        return result;
    }

    /** A reference or reason a decision cannot take (ID_INVALID, FIELD_INVALID), refused before any lookup. */
    private Optional<Refused> badInput(Caller caller, String rawRef, String reason) {
        String ref = RefNumbers.normalise(rawRef);
        Optional<String> p = Ids.APPROVAL_REF.problem(ref);
        if (p.isPresent()) {
            return Optional.of(audit.deny(caller, ref, "ID_INVALID", p.get()));
        }
        return Fields.problem("reason", reason, Fields.TEXT).map(m -> audit.deny(caller, ref, "FIELD_INVALID", m));
    }
}
