package jp.sekisho.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalFixtures;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.GatewayInfo;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.Party;
import jp.sekisho.gateway.route.Route;
import org.junit.jupiter.api.Test;

/** Each step of the admission chain on its own, then the chain's order: the first refusal decides. */
class AdmissionChainTest {

    private static final String SENDER = "CN=city-sender,O=Sekisho";
    private static final String RECEIVER = "CN=contractor,O=Sekisho";
    private static final Route ROUTE = new Route(
            "benefit",
            "transfer",
            "REF-1",
            List.of(new Party(SENDER, null, List.of("10.0.0.0/24"))),
            List.of(new Party(RECEIVER, null, List.of("10.1.0.5/32"))),
            List.of(),
            1 << 20,
            Duration.ofDays(7),
            false);
    private static final GatewayInfo INFO = new GatewayInfo("gw1", Map.of("transfer", false, "admin", true));

    private static Approval approval(ApprovalStatus status) {
        Approval p = ApprovalFixtures.pending();
        return new Approval(
                "REF-1",
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                p.dataItems(),
                1000,
                LocalDate.of(2026, 4, 1),
                LocalDate.of(2027, 3, 31),
                p.conditions(),
                p.meetingRef(),
                status,
                null,
                null,
                1);
    }

    private static PolicySnapshot policy(ApprovalStatus status) {
        return new PolicySnapshot(Map.of("REF-1", approval(status)), Map.of("benefit", ROUTE), ApprovalFixtures.NOW);
    }

    private static ConnectionInfo conn(String listener, String ip, String subject, Role... roles) {
        ConnectionInfo c = new ConnectionInfo(listener, 8443, new InetSocketAddress(ip, 50000));
        if (subject != null) {
            c.principal(new Principal(subject, "01", "ab".repeat(32), List.of(roles)));
        }
        return c;
    }

    private static AdmissionRequest request(ConnectionInfo c, Access access, RouteTarget target, Step... protocol) {
        return new AdmissionRequest(Entry.API, c, "GET", "/x?secret=1", "r1", access, target, List.of(protocol));
    }

    private static Attempt attempt(ApprovalStatus status) {
        return new Attempt(policy(status), ApprovalFixtures.NOW);
    }

    private static Decision decide(ApprovalStatus status, AdmissionRequest r) {
        return new AdmissionChain(
                        INFO,
                        () -> policy(status),
                        AdmissionChainTest::contains,
                        Clock.fixed(ApprovalFixtures.NOW, ZoneOffset.UTC))
                .decide(r);
    }

    static boolean contains(String cidr, InetAddress a) {
        return jp.sekisho.gateway.edge.Cidr.parse(cidr).contains(a);
    }

    private static Reason reasonOf(Decision.Denied d) {
        return d == null ? null : d.reason();
    }

    @Test
    void listenerStepKeepsAdminApisOnTheAdminListener() {
        Step s = new ListenerStep(INFO);
        Access admin = Access.forAnyPrincipal().adminOnly(true);
        assertEquals(
                Reason.ADMIN_LISTENER_ONLY,
                reasonOf(s.check(
                        request(conn("transfer", "10.0.0.1", SENDER), admin, null), attempt(ApprovalStatus.APPROVED))));
        assertNull(s.check(request(conn("admin", "10.0.0.1", SENDER), admin, null), attempt(ApprovalStatus.APPROVED)));
        assertNull(s.check(
                request(conn("transfer", "10.0.0.1", SENDER), Access.forAnyPrincipal(), null),
                attempt(ApprovalStatus.APPROVED)));
    }

    @Test
    void principalStepNeedsAVerifiedCertificate() {
        Step s = new PrincipalStep();
        assertEquals(
                Reason.NO_CERTIFICATE,
                reasonOf(s.check(
                        request(conn("transfer", "10.0.0.1", null), Access.forAnyPrincipal(), null),
                        attempt(ApprovalStatus.APPROVED))));
        assertEquals(
                Reason.NO_CERTIFICATE,
                reasonOf(s.check(request(null, Access.forAnyPrincipal(), null), attempt(ApprovalStatus.APPROVED))));
        Attempt a = attempt(ApprovalStatus.APPROVED);
        assertNull(s.check(request(conn("transfer", "10.0.0.1", SENDER), Access.forAnyPrincipal(), null), a));
        assertEquals(SENDER, a.principal().subject());
    }

    @Test
    void roleStepDeniesByDefault() {
        Step s = new RoleStep();
        Attempt a = attempt(ApprovalStatus.APPROVED);
        a.principal(new Principal(SENDER, "01", "ab", List.of(Role.SENDER)));
        AdmissionRequest undeclared =
                request(conn("transfer", "10.0.0.1", SENDER, Role.SENDER), Access.undeclared(), null);
        assertEquals(Reason.ROUTE_NOT_DECLARED, reasonOf(s.check(undeclared, a)));
        Decision.Denied d = s.check(
                request(
                        conn("transfer", "10.0.0.1", SENDER, Role.SENDER),
                        Access.roles(Role.RECEIVER, Role.AUDITOR),
                        null),
                a);
        assertEquals(Reason.ROLE_REQUIRED, reasonOf(d));
        assertEquals("requires role receiver or auditor", d.message());
        assertNull(s.check(
                request(conn("transfer", "10.0.0.1", SENDER, Role.SENDER), Access.roles(Role.SENDER), null), a));
    }

    @Test
    void routeStepFindsTheRouteOnThisListenerOnly() {
        Step s = new RouteStep();
        Attempt a = attempt(ApprovalStatus.APPROVED);
        assertEquals(
                Reason.ROUTE_UNKNOWN,
                reasonOf(s.check(
                        request(
                                conn("transfer", "10.0.0.1", SENDER),
                                Access.forAnyPrincipal(),
                                new RouteTarget("nope", Side.SENDER, "t")),
                        a)));
        assertEquals(
                Reason.ROUTE_NOT_ON_LISTENER,
                reasonOf(s.check(
                        request(
                                conn("admin", "10.0.0.1", SENDER),
                                Access.forAnyPrincipal(),
                                new RouteTarget("benefit", Side.SENDER, "t")),
                        a)));
        Attempt ok = attempt(ApprovalStatus.APPROVED);
        assertNull(s.check(
                request(
                        conn("transfer", "10.0.0.1", SENDER),
                        Access.forAnyPrincipal(),
                        new RouteTarget("benefit", Side.SENDER, "t")),
                ok));
        assertSame(ROUTE, ok.route());
        assertNull(
                s.check(
                        request(conn("transfer", "10.0.0.1", SENDER), Access.forAnyPrincipal(), null),
                        attempt(ApprovalStatus.APPROVED)),
                "no route target: nothing to check");
    }

    private static Decision.Denied party(String ip, String subject, Side side, Role... roles) {
        Attempt a = attempt(ApprovalStatus.APPROVED);
        ConnectionInfo c = conn("transfer", ip, subject, roles);
        a.principal(c.principal());
        a.route(ROUTE);
        Decision.Denied d = new PartyStep(AdmissionChainTest::contains)
                .check(request(c, Access.forAnyPrincipal(), new RouteTarget("benefit", side, "t")), a);
        if (d == null) {
            assertEquals(side == null ? a.side() : side, a.side());
        }
        return d;
    }

    @Test
    void partyStepChecksTheSideAndItsAddresses() {
        assertNull(party("10.0.0.7", SENDER, Side.SENDER, Role.SENDER));
        assertEquals(Reason.SOURCE_NOT_ALLOWED, reasonOf(party("10.0.1.7", SENDER, Side.SENDER, Role.SENDER)));
        assertEquals(Reason.NOT_A_SENDER, reasonOf(party("10.0.0.7", RECEIVER, Side.SENDER, Role.SENDER)));
        assertEquals(Reason.NOT_A_RECEIVER, reasonOf(party("10.1.0.5", SENDER, Side.RECEIVER, Role.RECEIVER)));
        assertNull(party("10.1.0.5", RECEIVER, Side.RECEIVER, Role.RECEIVER));
        assertEquals(Reason.SOURCE_NOT_ALLOWED, reasonOf(party("10.1.0.6", RECEIVER, Side.RECEIVER, Role.RECEIVER)));
        // whichever side: a sender holding the sender role acts as sender, from the sender's addresses
        assertNull(party("10.0.0.7", SENDER, null, Role.SENDER));
        assertEquals(Reason.NOT_A_RECEIVER, reasonOf(party("10.0.0.7", SENDER, null, Role.RECEIVER)));
    }

    @Test
    void approvalStepNeedsTheApprovalInForce() {
        for (ApprovalStatus st : ApprovalStatus.values()) {
            Attempt a = attempt(st);
            a.route(ROUTE);
            Decision.Denied d = new ApprovalStep()
                    .check(
                            request(
                                    conn("transfer", "10.0.0.1", SENDER),
                                    Access.forAnyPrincipal(),
                                    new RouteTarget("benefit", Side.SENDER, "t")),
                            a);
            boolean inForce = st == ApprovalStatus.APPROVED || st == ApprovalStatus.APPROVED_WITH_CONDITIONS;
            if (inForce) {
                assertNull(d, st.name());
                assertEquals("REF-1", a.approval().ref());
            } else {
                assertEquals("APPROVAL_" + st.name(), d.reason().name(), st.name());
                assertSame(ROUTE, d.route(), "the refusal names the route, for the audit event's approval");
            }
        }
    }

    /** The reason the chain gives a request to the benefit route with this much wrong (null: admitted). */
    private static Reason firstRefusal(
            ApprovalStatus status, Access access, String ip, String subject, Role role, String tusVersion) {
        ConnectionInfo c = subject == null ? conn("transfer", ip, null) : conn("transfer", ip, subject, role);
        Decision d = decide(
                status,
                request(
                        c,
                        access,
                        new RouteTarget("benefit", Side.SENDER, "upload"),
                        ProtocolSteps.tusVersion(tusVersion)));
        return d instanceof Decision.Denied x ? x.reason() : null;
    }

    @Test
    void theFirstRefusalInTheOrderOfChecksDecides() {
        Access sender = Access.roles(Role.SENDER);
        ApprovalStatus suspended = ApprovalStatus.SUSPENDED;
        // everything wrong at once, then one thing put right at a time: each refusal is the next in the order
        assertEquals(
                Reason.ADMIN_LISTENER_ONLY,
                firstRefusal(suspended, Access.undeclared().adminOnly(true), "192.0.2.1", null, null, "0.2.2"));
        assertEquals(
                Reason.NO_CERTIFICATE, firstRefusal(suspended, Access.undeclared(), "192.0.2.1", null, null, "0.2.2"));
        assertEquals(
                Reason.ROUTE_NOT_DECLARED,
                firstRefusal(suspended, Access.undeclared(), "192.0.2.1", SENDER, Role.RECEIVER, "0.2.2"));
        assertEquals(
                Reason.ROLE_REQUIRED, firstRefusal(suspended, sender, "192.0.2.1", SENDER, Role.RECEIVER, "0.2.2"));
        assertEquals(
                Reason.SOURCE_NOT_ALLOWED, firstRefusal(suspended, sender, "192.0.2.1", SENDER, Role.SENDER, "0.2.2"));
        assertEquals(
                Reason.APPROVAL_SUSPENDED, firstRefusal(suspended, sender, "10.0.0.1", SENDER, Role.SENDER, "0.2.2"));
        assertEquals(
                Reason.TUS_VERSION_UNSUPPORTED,
                firstRefusal(ApprovalStatus.APPROVED, sender, "10.0.0.1", SENDER, Role.SENDER, "0.2.2"));
        assertNull(firstRefusal(ApprovalStatus.APPROVED, sender, "10.0.0.1", SENDER, Role.SENDER, " 1.0.0 "));

        Decision ok = decide(
                ApprovalStatus.APPROVED,
                request(
                        conn("transfer", "10.0.0.1", SENDER, Role.SENDER),
                        sender,
                        new RouteTarget("benefit", Side.SENDER, "upload")));
        Decision.Admitted a = assertInstanceOf(Decision.Admitted.class, ok);
        assertSame(ROUTE, a.route());
        assertEquals(Side.SENDER, a.side());
        assertEquals("REF-1", a.grant().approval().ref());
    }

    @Test
    void theRequestKeepsNoQueryAndABoundedPath() {
        assertEquals("/x", request(null, Access.undeclared(), null).path());
        String longPath = "/" + "a".repeat(5000);
        assertEquals(
                AdmissionRequest.PATH_LIMIT + 1,
                new AdmissionRequest(Entry.API, null, "GET", longPath, "r", Access.undeclared(), null, List.of())
                        .path()
                        .length());
    }

    @Test
    void protocolStepsCheckTusVersionAndMediaType() {
        Attempt a = attempt(ApprovalStatus.APPROVED);
        AdmissionRequest r = request(null, Access.forAnyPrincipal(), null);
        assertNull(ProtocolSteps.tusVersion("1.0.0").check(r, a));
        assertEquals(
                Reason.TUS_VERSION_UNSUPPORTED,
                reasonOf(ProtocolSteps.tusVersion(null).check(r, a)));
        assertNull(ProtocolSteps.contentType("Application/Offset+Octet-Stream", "application/offset+octet-stream")
                .check(r, a));
        assertEquals(
                Reason.UNSUPPORTED_MEDIA_TYPE,
                reasonOf(ProtocolSteps.contentType("text/plain", "application/offset+octet-stream")
                        .check(r, a)));
        assertEquals(
                Reason.UNSUPPORTED_MEDIA_TYPE,
                reasonOf(ProtocolSteps.contentType(null, "application/offset+octet-stream")
                        .check(r, a)));
    }
}
