package jp.sekisho.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jp.sekisho.client.transfer.Units;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's acceptance: two gateway nodes over one PostgreSQL and one shared spool folder, HAProxy
 * (the release's own haproxy.cfg) in front with PROXY v2 and health checks. A node refusing (stale
 * CRL) is taken out; a 300 MiB upload loses its node to SIGKILL at a quarter and is finished by the
 * other; the receiver gets it byte-identical through HAProxy; the killed node restarts without
 * touching another node's upload; the audit log of both nodes verifies, on the store and offline.
 *
 * <p>Size: {@code -Dsekisho.cluster.size=300MiB}.
 */
class ClusterFailoverTest {

    static final long SIZE = Units.size(System.getProperty("sekisho.cluster.size", "300MiB"));
    static final Duration STEP = Duration.ofMinutes(3);

    @TempDir
    static Path dir;

    static FaultWorld world;

    @BeforeAll
    static void world() throws Exception {
        world = FaultWorld.withoutTemplate(dir.resolve("world"));
    }

    @Test
    void theShippedHaproxyConfigurationIsValid() throws Exception {
        FaultWorld.Cli shipped = Haproxy.check(Haproxy.SHIPPED);
        assertEquals(0, shipped.code(), "haproxy -c -f " + Haproxy.SHIPPED + ": " + shipped);
        String cfg = Files.readString(Haproxy.SHIPPED);
        for (String must : List.of("mode tcp", "send-proxy-v2", "option httpchk GET /health", "timeout client 1h")) {
            assertTrue(cfg.contains(must), "the shipped haproxy.cfg says " + must);
        }
        String doc = Files.readString(Path.of("..", "docs", "scaling.md"));
        assertTrue(
                doc.contains("```haproxy\n" + cfg + "```\n"),
                "docs/scaling.md quotes dist/src/etc/haproxy.cfg exactly: copy the file into its haproxy block");
    }

    @Test
    void aNodeKilledMidUploadIsTakenOverThroughHaproxy() throws Exception {
        try (Cluster c = Cluster.create(world, dir.resolve("failover"))) {
            ClusterNode gw1 = c.node("gw1");
            ClusterNode gw2 = c.node("gw2");
            staleCrl(gw2.crl);
            gw1.start();
            world.approveAndRoute(new FaultWorld.Ports(gw1.ports.transfer(), gw1.ports.admin()));
            gw2.start();
            Haproxy lb = c.balance();

            // a refusing node (503 REFUSING CRL_EXPIRED on its health port) is out; all goes to gw1
            lb.awaitState("gw2", "DOWN", Duration.ofSeconds(20));
            lb.awaitState("gw1", "UP", Duration.ofSeconds(20));
            Path small = dir.resolve("small.bin");
            String smallSha = Cluster.randomFile(small, 1 << 20);
            Scenario.succeeds(c.send(small));
            Scenario.succeeds(c.receive());
            assertEquals(smallSha, Cluster.sha256(c.out.resolve("small.bin")), "small file byte-identical");
            proxyV2Audited(c);

            // gw2's CRL renewed: back in the pool without a restart
            freshCrl(gw2.crl);
            lb.awaitState("gw2", "UP", Duration.ofSeconds(30));

            Path big = dir.resolve("big.bin");
            String bigSha = Cluster.randomFile(big, SIZE);
            ChildJvm send = c.send(big);
            String id = await("the upload's transfer row")
                    .atMost(STEP)
                    .pollInterval(Duration.ofMillis(20))
                    .until(c::newest, r -> r.isPresent() && r.get().state().equals("UPLOADING"))
                    .orElseThrow()
                    .id();
            await("upload at 25 %")
                    .atMost(STEP)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        assertTrue(send.alive(), "send ended before 25 %:\n" + send.tail());
                        return c.store.transfers().stream().anyMatch(r -> r.id().equals(id) && r.offset() >= SIZE / 4);
                    });
            ClusterNode carrier = carrier(c);
            ClusterNode other = carrier == gw1 ? gw2 : gw1;
            carrier.kill9();
            StoreProbe.TransferRow killedAt = c.store.transfers().stream()
                    .filter(r -> r.id().equals(id))
                    .findFirst()
                    .orElseThrow();
            System.out.println(carrier.id + " killed with the upload at " + killedAt);
            assertTrue(
                    killedAt.state().equals("UPLOADING") && killedAt.offset() < SIZE,
                    "the kill came before the upload ended: " + killedAt);
            lb.awaitState(carrier.id, "DOWN", Duration.ofSeconds(20));
            Integer first = send.awaitExit(STEP);
            if (first == null || first != 0) {
                Scenario.succeeds(c.send(big)); // issue 17: a second run resumes the same upload
            }
            assertTrue(
                    c.perNode("TRANSFER_STORED", id).containsKey(other.id),
                    "the upload was finished by " + other.id + ": " + c.perNode("TRANSFER_STORED", id));
            Scenario.succeeds(c.receive());
            assertEquals(bigSha, Cluster.sha256(c.out.resolve("big.bin")), "300 MiB byte-identical (SHA-256)");
            assertAcknowledgedAndSpoolEmpty(c, id);

            restartDuringAnotherUpload(c, carrier);
            auditVerifies(c);
        }
    }

    @Test
    void aMissingSigningKeyStopsTheNodeUntilRotated() throws Exception {
        try (Cluster c = Cluster.create(world, dir.resolve("rotate"))) {
            ClusterNode gw1 = c.node("gw1");
            gw1.start();
            world.approveAndRoute(new FaultWorld.Ports(gw1.ports.transfer(), gw1.ports.admin()));
            gw1.close();
            Files.delete(gw1.data().resolve("audit-signing.key"));

            String refused = gw1.startFails();
            String last = refused.lines()
                    .filter(l -> !l.isBlank())
                    .reduce((a, b) -> b)
                    .orElse("");
            assertTrue(last.contains("AUDIT_KEY_MISSING"), "the one-line error names AUDIT_KEY_MISSING:\n" + refused);
            assertNotEquals("exit 0", refused.lines().findFirst().orElse(""), refused);

            FaultWorld.Cli rotate = Cluster.sekisho(
                    "audit", "rotate-key", "--config", gw1.config.toString(), "--reason", "鍵の紛失 / key lost in test");
            assertEquals(0, rotate.code(), "audit rotate-key: " + rotate);
            gw1.start();
            FaultWorld.Cli verify = Cluster.sekisho("audit", "verify", "--config", gw1.config.toString());
            assertEquals(0, verify.code(), "audit verify after the rotation: " + verify);
            assertTrue(verify.out().lines().anyMatch(l -> l.startsWith("ROTATED:")), "names the rotation: " + verify);
        }
    }

    // ---- steps

    /**
     * The node the upload's bytes go to now: the one whose transfer port received 4 MiB more while
     * the other received less than 1 MiB (send opens more than one connection, so sessions do not tell).
     */
    private static ClusterNode carrier(Cluster c) throws Exception {
        Map<ClusterNode, Long> start = new java.util.HashMap<>();
        for (ClusterNode n : c.nodes) {
            start.put(n, n.bytesReceived());
        }
        return await("the node carrying the upload")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(
                        () -> {
                            Map<ClusterNode, Long> grown = new java.util.HashMap<>();
                            for (ClusterNode n : c.nodes) {
                                grown.put(n, n.bytesReceived() - start.get(n));
                            }
                            List<ClusterNode> busy = c.nodes.stream()
                                    .filter(n -> grown.get(n) >= 4L << 20)
                                    .toList();
                            boolean alone = busy.size() == 1
                                    && c.nodes.stream()
                                            .filter(n -> n != busy.get(0))
                                            .allMatch(n -> grown.get(n) < 1L << 20);
                            return alone ? busy.get(0) : null;
                        },
                        n -> n != null);
    }

    /** The sender's connections through HAProxy are audited with its own address, the balancer's as "via". */
    private static void proxyV2Audited(Cluster c) throws Exception {
        List<List<String>> accepted = c.store.rows(
                "SELECT node_id, source_ip, detail FROM audit_event WHERE event_type = 'CONNECTION_ACCEPTED'"
                        + " AND principal_subject LIKE 'CN=city-sender%'");
        assertTrue(!accepted.isEmpty(), "the sender's connections were audited");
        for (List<String> r : accepted) {
            assertEquals("gw1", r.get(0), "a refusing gw2 took no connection: " + r);
            assertEquals("127.0.0.1", r.get(1), "the client's address from the PROXY v2 header: " + r);
            assertTrue(String.valueOf(r.get(2)).contains(Haproxy.SOURCE), "the balancer as via: " + r);
        }
    }

    private static void assertAcknowledgedAndSpoolEmpty(Cluster c, String id) throws Exception {
        await("acknowledged and purged")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !c.perNode("TRANSFER_ACKNOWLEDGED", id).isEmpty()
                        && !c.perNode("TRANSFER_PURGED", id).isEmpty());
        await("the spool emptied (only " + Cluster.MARKER + " left)")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> c.spoolFiles().isEmpty());
        assertTrue(Files.exists(c.shared.spool().resolve(Cluster.MARKER)), "the spool keeps its marker");
    }

    /**
     * The killed node starts again while the other carries an upload (its sender frozen mid-way, so
     * the upload is surely in progress): nothing in the spool disappears, and the upload completes.
     */
    private static void restartDuringAnotherUpload(Cluster c, ClusterNode killed) throws Exception {
        Path second = dir.resolve("second.bin");
        String sha = Cluster.randomFile(second, 64L << 20);
        ChildJvm send = c.send(second);
        String id = await("the second upload under way")
                .atMost(STEP)
                .pollInterval(Duration.ofMillis(5))
                .until(
                        c::newest,
                        r -> r.isPresent()
                                && r.get().state().equals("UPLOADING")
                                && r.get().offset() > 0)
                .orElseThrow()
                .id();
        send.freeze();
        Map<Path, Long> before;
        try {
            before = c.spoolFiles();
            assertTrue(!before.isEmpty(), "the second upload's part is in the spool");
            killed.start();
            c.lb.awaitState(killed.id, "UP", Duration.ofSeconds(30));
            Map<Path, Long> after = c.spoolFiles();
            for (Map.Entry<Path, Long> e : before.entrySet()) {
                assertTrue(
                        after.containsKey(e.getKey()) && after.get(e.getKey()) >= e.getValue(),
                        killed.id + "'s restart removed or cut " + e.getKey() + ": before " + before + ", after "
                                + after);
            }
        } finally {
            send.thaw();
        }
        Scenario.succeeds(send);
        Scenario.succeeds(c.receive());
        assertEquals(sha, Cluster.sha256(c.out.resolve("second.bin")), "second file byte-identical");
        assertAcknowledgedAndSpoolEmpty(c, id);
    }

    /** audit verify over the store, and offline over an export of both nodes with both public keys. */
    private static void auditVerifies(Cluster c) throws Exception {
        ClusterNode gw1 = c.nodes.get(0);
        FaultWorld.Cli store = Cluster.sekisho("audit", "verify", "--config", gw1.config.toString());
        assertEquals(0, store.code(), "audit verify --config over both nodes' chains: " + store);

        Path export = c.root.resolve("export.jsonl");
        FaultWorld.Cli exported = Cluster.sekisho(
                "audit", "export", "--config", gw1.config.toString(), "--format", "jsonl", "--out", export.toString());
        assertEquals(0, exported.code(), "audit export: " + exported);
        Path keys = Files.createDirectories(c.root.resolve("keys"));
        for (ClusterNode n : c.nodes) {
            Files.copy(n.publicKey(), keys.resolve(n.id + ".pem"));
        }
        FaultWorld.Cli offline =
                Cluster.sekisho("audit", "verify", "--file", export.toString(), "--keys", keys.toString());
        assertEquals(0, offline.code(), "audit verify --file --keys DIR over both nodes: " + offline);
    }

    // ---- CRLs: a node refusing is a node whose CRL is past its nextUpdate

    /** Writes a CRL valid for one second into FILE (stale by the time the node listens); the world's stays fresh. */
    private static void staleCrl(Path file) throws Exception {
        synchronized (world) {
            world.pki.authority().setCrlValidity(Duration.ofSeconds(1));
            world.pki.authority().resignCrl();
            Files.copy(world.pki.crlFile(), file, StandardCopyOption.REPLACE_EXISTING);
            world.pki.authority().setCrlValidity(Duration.ofDays(7));
            world.pki.authority().resignCrl();
        }
    }

    /** A fresh CRL put in place atomically, as sekisho-crl.timer does. */
    private static void freshCrl(Path file) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.copy(world.pki.crlFile(), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
