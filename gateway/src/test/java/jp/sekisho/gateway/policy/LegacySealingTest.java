package jp.sekisho.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import jp.sekisho.gateway.approval.ApprovalFixtures;
import jp.sekisho.gateway.approval.ApprovalRepository;
import jp.sekisho.gateway.route.Party;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows from before sealing: sealed once by the start that creates the key, refused after that; a
 * key of another installation recognises none of this one's seals.
 */
class LegacySealingTest {

    @TempDir
    Path dir;

    @Test
    void theStartThatCreatesTheKeySealsWhatWasThereAndOnlyThat() throws Exception {
        try (PolicyFixture db = new PolicyFixture(dir)) {
            Path keyFile = dir.resolve("policy-seal.key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
            assertTrue(db.seal().created());

            ApprovalRepository approvals = new ApprovalRepository(db.dataSource(), db.seal());
            RouteRepository routes = new RouteRepository(db.dataSource(), db.seal());
            approvals.create(ApprovalFixtures.pending(), ApprovalFixtures.NOW);
            String ref = ApprovalFixtures.pending().ref();
            Route r = new Route(
                    "legacy-route",
                    "transfer",
                    ref,
                    List.of(new Party("CN=a", null, List.of("127.0.0.1/32"))),
                    List.of(new Party("CN=b", null, List.of("127.0.0.1/32"))),
                    List.of(),
                    1024,
                    Duration.ofDays(7),
                    false);
            routes.upsertAll(List.of(r), ApprovalFixtures.NOW);
            assertNull(approvals.load(ref).orElseThrow().tamper());
            assertTrue(routes.loadAll().tampered().isEmpty());

            // what the previous version left: the same rows without seals
            try (Connection c = db.superuser();
                    Statement s = c.createStatement()) {
                s.execute("UPDATE approval SET seal = NULL");
                s.execute("UPDATE route SET seal = NULL");
            }
            assertTrue(approvals.load(ref).orElseThrow().tamper().contains("no seal"));
            assertTrue(routes.loadAll().tampered().get("legacy-route").contains("no seal"));

            // a start that found the key already there seals nothing
            PolicySeal existing = PolicySeal.loadOrCreate(keyFile);
            assertTrue(!existing.created());
            assertEquals(db.seal().keyId(), existing.keyId());

            PolicyServices.sealRowsFromBefore(db.dataSource(), db.seal(), Clock.systemUTC());
            assertNull(approvals.load(ref).orElseThrow().tamper());
            assertTrue(routes.loadAll().tampered().isEmpty());
            try (PolicyWatcher w = db.watcher(Duration.ofMinutes(5))) {
                assertTrue(w.current().tamperedApprovals().isEmpty());
                assertTrue(w.current().tamperedRoutes().isEmpty());
            }

            byte[] otherKey = new byte[32];
            otherKey[0] = 1;
            String problem = new ApprovalRepository(db.dataSource(), PolicySeal.of(otherKey))
                    .load(ref)
                    .orElseThrow()
                    .tamper();
            assertTrue(problem.contains("another key"), problem);
        }
    }
}
