package jp.sekisho.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.approval.ApprovalFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteFileTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.recipient("contractor-enc");
        pki.client("city-sender");
    }

    private static Path write(String yaml) throws IOException {
        Path f = dir.resolve("routes.yml");
        Files.writeString(f, yaml);
        return f;
    }

    static final String GOOD = """
            routes:
              - id: kurume-benefit
                listener: transfer
                approval: 2総政第158号
                senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32, "::1/128"] }]
                recipients: [certs/contractor-enc.pem]
                max-payload: 4GiB
                retention: 3d
            """;

    @Test
    void readsARouteWithDefaultsAndTheRecipientCertificate() throws IOException {
        List<Route> routes = RouteFile.read(write(GOOD)).routes();
        assertEquals(1, routes.size());
        Route r = routes.get(0);
        assertEquals("kurume-benefit", r.id());
        assertEquals("2総政第158号", r.approvalRef());
        assertEquals(4L << 30, r.maxPayloadBytes());
        assertEquals(Duration.ofDays(3), r.retention());
        assertFalse(r.allowCbc());
        assertTrue(r.recipientCertificates().get(0).startsWith("-----BEGIN CERTIFICATE-----"));
        assertEquals(List.of("127.0.0.1/32", "::1/128"), r.allCidrs());
        assertTrue(r.senders().get(0).matches("CN=city-sender,O=Sekisho", "whatever"));
        assertFalse(r.senders().get(0).matches("CN=mallory,O=Sekisho", "whatever"));
    }

    @Test
    void errorsNameTheKeyAndTheProblem() throws IOException {
        assertEquals(
                "routes.yml: routes[0].senders[0]: needs subject or sha256",
                assertThrows(
                                RouteFile.Invalid.class,
                                () -> RouteFile.read(
                                        write(GOOD.replace("subject: \"CN=city-sender,O=Sekisho\", ", ""))))
                        .getMessage());
        assertEquals(
                "routes.yml: routes[0].approval: is required",
                assertThrows(
                                RouteFile.Invalid.class,
                                () -> RouteFile.read(write(GOOD.replace("approval: 2総政第158号", ""))))
                        .getMessage());
        String notEnc = assertThrows(
                        RouteFile.Invalid.class,
                        () -> RouteFile.read(write(GOOD.replace("contractor-enc.pem", "city-sender.pem"))))
                .getMessage();
        assertTrue(
                notEnc.contains("routes[0].recipients[0]") && notEnc.contains("not an encryption certificate"), notEnc);
        String size = assertThrows(RouteFile.Invalid.class, () -> RouteFile.read(write(GOOD.replace("4GiB", "lots"))))
                .getMessage();
        assertTrue(size.contains("'lots' is not a size"), size);
        assertTrue(assertThrows(RouteFile.Invalid.class, () -> RouteFile.read(dir.resolve("none.yml")))
                .getMessage()
                .contains("no such file"));
    }

    @Test
    void theDiffShowsWhatChangesAndApplyingTwiceChangesNothing() throws IOException {
        Route r = RouteFile.read(write(GOOD)).routes().get(0);
        RouteDiff first = RouteDiff.between(Map.of(), List.of(r));
        assertTrue(first.changesAnything());
        assertEquals(
                "+ kurume-benefit (listener transfer, approval 2総政第158号)",
                first.changes().get(0).line());

        assertFalse(RouteDiff.between(Map.of(r.id(), r), List.of(r)).changesAnything(), "idempotent");

        Route bigger =
                RouteFile.read(write(GOOD.replace("4GiB", "8GiB"))).routes().get(0);
        RouteDiff d = RouteDiff.between(Map.of(r.id(), r), List.of(bigger));
        assertEquals(
                "~ kurume-benefit: max-payload 4294967296 -> 8589934592",
                d.changes().get(0).line());
    }

    @Test
    void aRouteIsActiveOnlyWhileItsApprovalIsInForce() {
        Instant now = ApprovalFixtures.NOW;
        assertEquals(RouteState.APPROVAL_UNKNOWN, RouteState.of(null, now));
        assertEquals(RouteState.APPROVAL_PENDING, RouteState.of(ApprovalFixtures.pending(), now));
    }
}
