package jp.sekisho.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.InetAddress;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.policy.PolicySnapshot;
import org.junit.jupiter.api.Test;

/** The order of a relay request's checks and the reason each refusal carries, against built snapshots. */
class RelayAdmissionTest {

    static final Instant NOON_TOKYO_WEDNESDAY = Instant.parse("2026-12-02T03:00:00Z");
    static final Principal CLERK = new Principal("CN=payroll-pc-01,O=Kurume", "01", "ab".repeat(32), List.of());

    final AtomicBoolean auditUp = new AtomicBoolean(true);
    final RelayAdmission admission = new RelayAdmission(auditUp::get);

    static RelayRoute route(TerminalMode mode, RelayRoute.Terminal terminal, RelayLimits limits) {
        return new RelayRoute(
                "kurume-payroll-web",
                "payroll-web",
                RelayProxyTest.REF,
                mode,
                List.of(terminal),
                new Upstream(URI.create("https://127.0.0.1:8443"), "-", null, false),
                limits);
    }

    static PolicySnapshot policy(ApprovalStatus status, RelayRoute r) {
        Approval a = RelayProxyTest.approval(status);
        return new PolicySnapshot(Map.of(a.ref(), a), Map.of(), Map.of(r.id(), r), Map.of(), Map.of(), Instant.EPOCH);
    }

    static RelayAsk ask(String ip, Principal p, String method, String path, long length, boolean ws) throws Exception {
        return new RelayAsk(
                "payroll-web", InetAddress.getByName(ip), p, method, path, length, ws, NOON_TOKYO_WEDNESDAY);
    }

    Reason refusal(PolicySnapshot s, RelayAsk a) {
        return assertInstanceOf(RelayDecision.Refuse.class, admission.decide(s, a))
                .reason();
    }

    static final RelayRoute.Terminal LOCAL = new RelayRoute.Terminal(null, null, List.of("127.0.0.1/32"));

    @Test
    void eachCheckRefusesWithItsReasonInOrder() throws Exception {
        RelayRoute tls = route(TerminalMode.TLS, LOCAL, RelayLimits.DEFAULTS);
        PolicySnapshot ok = policy(ApprovalStatus.APPROVED, tls);
        assertInstanceOf(
                RelayDecision.Forward.class, admission.decide(ok, ask("127.0.0.1", null, "GET", "/", -1, false)));

        PolicySnapshot none = new PolicySnapshot(Map.of(), Map.of(), Instant.EPOCH);
        assertEquals(Reason.RELAY_NO_ROUTE, refusal(none, ask("127.0.0.1", null, "GET", "/", -1, false)));
        assertEquals(Reason.SOURCE_NOT_ALLOWED, refusal(ok, ask("127.0.0.2", null, "GET", "/", -1, false)));
        // the approval before the limits: a suspended route refuses even a request off its limits
        assertEquals(
                Reason.APPROVAL_SUSPENDED,
                refusal(policy(ApprovalStatus.SUSPENDED, tls), ask("127.0.0.1", null, "DELETE", "/", -1, false)));
        assertEquals(Reason.METHOD_NOT_ON_ROUTE, refusal(ok, ask("127.0.0.1", null, "DELETE", "/", -1, false)));
        assertEquals(Reason.PATH_INVALID, refusal(ok, ask("127.0.0.1", null, "GET", "/a/../b", -1, false)));
        assertEquals(
                Reason.REQUEST_BODY_TOO_LARGE,
                refusal(ok, ask("127.0.0.1", null, "POST", "/", RelayLimits.DEFAULT_MAX_BODY + 1, false)));
        assertEquals(Reason.WEBSOCKET_NOT_ALLOWED, refusal(ok, ask("127.0.0.1", null, "GET", "/", -1, true)));
        auditUp.set(false);
        assertEquals(Reason.AUDIT_UNAVAILABLE, refusal(ok, ask("127.0.0.1", null, "GET", "/", -1, false)));
    }

    @Test
    void mtlsNeedsTheTerminalsCertificate() throws Exception {
        RelayRoute mtls = route(
                TerminalMode.MTLS,
                new RelayRoute.Terminal(CLERK.subject(), null, List.of("127.0.0.0/8")),
                RelayLimits.DEFAULTS);
        PolicySnapshot s = policy(ApprovalStatus.APPROVED, mtls);
        assertInstanceOf(
                RelayDecision.Forward.class, admission.decide(s, ask("127.0.0.1", CLERK, "GET", "/", -1, false)));
        Principal other = new Principal("CN=someone-else", "02", "cd".repeat(32), List.of());
        assertEquals(Reason.NOT_A_TERMINAL, refusal(s, ask("127.0.0.1", other, "GET", "/", -1, false)));
        assertEquals(Reason.NOT_A_TERMINAL, refusal(s, ask("127.0.0.1", null, "GET", "/", -1, false)));
    }

    @Test
    void openingHoursAndRatePerTerminal() throws Exception {
        RelayLimits evenings = new RelayLimits(
                RelayLimits.DEFAULT_METHODS,
                RelayLimits.DEFAULT_PATHS,
                RelayLimits.DEFAULT_MAX_BODY,
                0,
                new OpeningHours(Set.of(DayOfWeek.WEDNESDAY), LocalTime.of(18, 0), LocalTime.of(20, 0)),
                false);
        assertEquals(
                Reason.OUTSIDE_OPENING_HOURS,
                refusal(
                        policy(ApprovalStatus.APPROVED, route(TerminalMode.TLS, LOCAL, evenings)),
                        ask("127.0.0.1", null, "GET", "/", -1, false)));
        RelayLimits twoPerSecond = new RelayLimits(
                RelayLimits.DEFAULT_METHODS, RelayLimits.DEFAULT_PATHS, RelayLimits.DEFAULT_MAX_BODY, 2, null, false);
        PolicySnapshot s = policy(ApprovalStatus.APPROVED, route(TerminalMode.TLS, LOCAL, twoPerSecond));
        RelayAsk a = ask("127.0.0.1", null, "GET", "/", -1, false);
        assertInstanceOf(RelayDecision.Forward.class, admission.decide(s, a));
        assertInstanceOf(RelayDecision.Forward.class, admission.decide(s, a));
        // a third at once is over the bucket (2/s, burst 2): a token takes 500 ms to come back, far longer than
        // the microseconds between these calls
        assertEquals(Reason.TERMINAL_RATE_LIMITED, refusal(s, a));
    }
}
