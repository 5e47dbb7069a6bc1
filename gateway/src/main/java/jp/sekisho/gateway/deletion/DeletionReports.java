package jp.sekisho.gateway.deletion;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.RefNumbers;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.tls.ClientCertificateChecker;
import jp.sekisho.gateway.transfer.TransferProblem;

/**
 * Receives a contractor's deletion report (廃棄報告): who may submit it, the signature and signer, the
 * manifest against what was delivered under the approval; stores the accepted one with its signed
 * original and writes DELETION_REPORT_ACCEPTED, or refuses with one reason and DELETION_REPORT_REFUSED
 * (the problem is marked audited so admission does not write a second event).
 */
public final class DeletionReports {

    /** At most this many transfer ids are named in a refusal's detail; the count says how many there were. */
    static final int NAMED_IDS = 50;

    private final DeletionReportRepository repo;
    private final ClientCertificateChecker trust;
    private final AuditLog audit;
    private final BiPredicate<String, InetAddress> cidrContains;
    private final String node;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public DeletionReports(
            DeletionReportRepository repo,
            ClientCertificateChecker trust,
            AuditLog audit,
            BiPredicate<String, InetAddress> cidrContains,
            String node,
            Clock clock) {
        this.repo = repo;
        this.trust = trust;
        this.audit = audit;
        this.cidrContains = cidrContains;
        this.node = node;
        this.clock = clock;
    }

    public DeletionReportRepository repository() {
        return repo;
    }

    /**
     * Checks and stores a report submitted for approval {@code ref} on {@code listener}.
     *
     * @return the stored report
     * @throws TransferProblem the refusal, already audited
     */
    public DeletionReportRepository.Stored submit(
            Caller caller, Principal principal, String listener, PolicySnapshot policy, String ref, byte[] body) {
        List<Route> routes = admit(caller, principal, listener, policy, ref, true);
        SignedReport signed;
        try {
            signed = SignedReport.verify(body, trust);
        } catch (SignedReport.Refused e) {
            throw refuse(caller, ref, e.reason(), e.getMessage(), null);
        }
        String signerSubject = signed.signer().getSubjectX500Principal().getName();
        String signerSha = CertificateSummary.sha256(signed.signer());
        boolean contractor =
                routes.stream().flatMap(r -> r.receivers().stream()).anyMatch(p -> p.matches(signerSubject, signerSha));
        if (!contractor) {
            throw refuse(
                    caller,
                    ref,
                    Reason.DELETION_REPORT_NOT_CONTRACTOR,
                    "the signer " + signerSubject + " is not a receiver of any route under " + ref,
                    signerSubject);
        }
        Manifest m;
        try {
            m = Manifest.parse(signed.content());
        } catch (Manifest.Invalid e) {
            throw refuse(caller, ref, Reason.DELETION_REPORT_MANIFEST_INVALID, e.getMessage(), signerSubject);
        }
        if (!RefNumbers.normalise(m.approval()).equals(RefNumbers.normalise(ref))) {
            throw refuse(
                    caller,
                    ref,
                    Reason.DELETION_REPORT_APPROVAL_MISMATCH,
                    "the manifest names approval " + m.approval() + ", the request " + ref,
                    signerSubject);
        }
        match(caller, ref, m, repo.delivered(ref), signerSubject);
        Instant now = clock.instant();
        DeletionReportRepository.Stored s = new DeletionReportRepository.Stored(
                newId(),
                ref,
                now,
                caller.principal().subject(),
                node,
                signerSubject,
                signerSha,
                sha256(signed.content()),
                m.responsible(),
                m.transfers().size(),
                m.deletedUntil() == null ? now : m.deletedUntil().toInstant());
        // what lets the report count is committed to the audit log before it is stored (as with a transfer)
        audit.commit(caller.stamp(AuditEvent.of(EventType.DELETION_REPORT_ACCEPTED, Outcome.ALLOW))
                .approvalRef(ref)
                .detailJson(new Detail()
                        .put("report", s.id())
                        .put("signer", signerSubject)
                        .put("signer_sha256", signerSha)
                        .put("responsible", m.responsible())
                        .put("transfers", m.transfers().size())
                        .put("manifest_sha256", s.manifestSha256())
                        .toString())
                .build());
        repo.insert(s, body);
        return s;
    }

    /**
     * The transfers delivered under {@code ref}, id to SHA-256, for the contractor's manifest template; asked
     * by a receiver of a route of the approval on this listener, as a report is submitted.
     */
    public Map<String, String> deliveries(
            Caller caller, Principal principal, String listener, PolicySnapshot policy, String ref) {
        admit(caller, principal, listener, policy, ref, false);
        return repo.delivered(ref);
    }

    /**
     * The caller is a receiver of a route under {@code ref} bound to this listener, from that party's
     * addresses (as PartyStep judges a route's requests); returns every route under the approval.
     */
    private List<Route> admit(
            Caller caller, Principal principal, String listener, PolicySnapshot policy, String ref, boolean report) {
        List<Route> routes = policy.routes().values().stream()
                .filter(r -> r.approvalRef().equals(ref))
                .toList();
        if (routes.isEmpty()) {
            throw admitRefusal(report, caller, ref, Reason.APPROVAL_UNKNOWN, "no route under approval " + ref, null);
        }
        List<Route> mine = routes.stream()
                .filter(r -> r.listener().equals(listener))
                .filter(r -> r.receivers().stream().anyMatch(p -> p.matches(principal.subject(), principal.sha256())))
                .toList();
        if (mine.isEmpty()) {
            throw admitRefusal(
                    report,
                    caller,
                    ref,
                    Reason.NOT_A_RECEIVER,
                    principal.subject() + " is not a receiver of a route under " + ref + " on this listener",
                    null);
        }
        InetAddress source = address(caller.sourceIp());
        boolean fromAllowed = source != null
                && mine.stream()
                        .flatMap(r -> r.receivers().stream())
                        .filter(p -> p.matches(principal.subject(), principal.sha256()))
                        .flatMap(p -> p.allow().stream())
                        .anyMatch(c -> cidrContains.test(c, source));
        if (!fromAllowed) {
            throw admitRefusal(
                    report,
                    caller,
                    ref,
                    Reason.SOURCE_NOT_ALLOWED,
                    caller.sourceIp() + " is not an allowed address of " + principal.subject() + " under " + ref,
                    null);
        }
        return routes;
    }

    /** The manifest's transfers are exactly those delivered under the approval, each with its SHA-256. */
    private void match(Caller caller, String ref, Manifest m, Map<String, String> delivered, String signer) {
        Set<String> named = m.transfers().stream().map(Manifest.Entry::id).collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>(named);
        unknown.removeAll(delivered.keySet());
        if (!unknown.isEmpty()) {
            throw refuse(
                    caller,
                    ref,
                    Reason.DELETION_REPORT_TRANSFER_UNKNOWN,
                    "not delivered under " + ref + ": " + ids(unknown),
                    signer);
        }
        Set<String> missing = new TreeSet<>(delivered.keySet());
        missing.removeAll(named);
        if (!missing.isEmpty()) {
            throw refuse(
                    caller,
                    ref,
                    Reason.DELETION_REPORT_TRANSFER_MISSING,
                    "delivered under " + ref + " but not reported: " + ids(missing),
                    signer);
        }
        List<String> wrong = new ArrayList<>();
        for (Manifest.Entry e : m.transfers()) {
            if (!e.sha256().equals(delivered.get(e.id()))) {
                wrong.add(e.id());
            }
        }
        if (!wrong.isEmpty()) {
            throw refuse(
                    caller,
                    ref,
                    Reason.DELETION_REPORT_HASH_MISMATCH,
                    "SHA-256 differs from the delivered one: " + ids(new TreeSet<>(wrong)),
                    signer);
        }
    }

    /** "a, b, c (and 12 more)": the first ids, so the detail stays within an audit event's bound. */
    static String ids(Set<String> ids) {
        String first = ids.stream().limit(NAMED_IDS).collect(Collectors.joining(", "));
        return ids.size() > NAMED_IDS ? first + " (and " + (ids.size() - NAMED_IDS) + " more)" : first;
    }

    /** A report's refusal is DELETION_REPORT_REFUSED; another request's is left to admission (REQUEST_DENIED). */
    private TransferProblem admitRefusal(
            boolean report, Caller caller, String ref, Reason reason, String message, String signer) {
        return report ? refuse(caller, ref, reason, message, signer) : new TransferProblem(reason, message);
    }

    private TransferProblem refuse(Caller caller, String ref, Reason reason, String message, String signer) {
        audit.record(caller.stamp(AuditEvent.of(EventType.DELETION_REPORT_REFUSED, Outcome.DENY))
                .reason(reason.code())
                .approvalRef(ref)
                .detailJson(new Detail()
                        .put("action", "deletion-report")
                        .put("signer", signer)
                        .put("message", message)
                        .toString())
                .build());
        return new TransferProblem(reason, message).markAudited();
    }

    private String newId() {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return literal == null ? null : InetAddress.getByName(literal); // a literal from the socket
        } catch (java.net.UnknownHostException | RuntimeException e) {
            return null;
        }
    }
}
