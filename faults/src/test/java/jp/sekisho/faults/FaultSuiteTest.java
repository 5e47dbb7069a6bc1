package jp.sekisho.faults;

import static jp.sekisho.faults.Scenario.named;
import static jp.sekisho.faults.Scenario.seconds;
import static jp.sekisho.faults.Scenario.size;
import static jp.sekisho.faults.Scenario.succeeds;
import static jp.sekisho.faults.Scenario.until;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import jp.sekisho.client.transfer.Units;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's fault suite: a hand-off of a random file between real processes (the gateway on its
 * embedded store, {@code send}, {@code receive}), broken at named points found by polling the real
 * state (spool, transfer row, output folder), then recovered without a person; every point ends
 * with one byte-identical file, no plaintext left, an empty spool, the lifecycle audited once and
 * {@code audit verify} OK. Size: {@code -Dsekisho.faults.size=300MiB} (default 48MiB); some points
 * only: {@code -Dsekisho.faults.only=g1,s4}. Table:
 * target/fault-table.md; {@code -Dsekisho.docs.write=true} also writes it into docs/security.md.
 */
class FaultSuiteTest {

    static final long SIZE = Units.size(System.getProperty("sekisho.faults.size", "48MiB"));
    static final long MIB = 1L << 20;

    @TempDir
    static Path dir;

    static FaultWorld world;
    static FaultTable table;

    @BeforeAll
    static void world() throws Exception {
        Scenario.run("rm", "-rf", Path.of("target", "fault-logs").toString()); // of an earlier run
        world = FaultWorld.create(dir);
        table = new FaultTable(SIZE / MIB + " MiB");
    }

    @AfterAll
    static void writeTable() throws Exception {
        if (table == null) {
            return;
        }
        table.write(Path.of("target", "fault-table.md"));
        if (Boolean.getBoolean("sekisho.docs.write")) {
            table.replaceSection(Path.of("..", "docs", "security.md"));
        }
    }

    /** One point: its scenario body builds the scenario from C, breaks it, recovers, and returns the input to check. */
    record Point(String id, String fault, String point, Body body) {}

    interface Body {
        Path run(Run c) throws Exception;
    }

    /** What one point created, closed whatever happened. */
    static final class Run {
        final String id;
        final List<AutoCloseable> opened = new ArrayList<>();
        Scenario scenario;

        Run(String id) {
            this.id = id;
        }

        Scenario embedded() throws Exception {
            return keep(Scenario.embedded(world, id));
        }

        Scenario embedded(Path crl) throws Exception {
            return keep(Scenario.embedded(world, id, crl));
        }

        Scenario external(PrivatePostgres pg) throws Exception {
            return keep(Scenario.external(world, id, pg));
        }

        PrivatePostgres privatePostgres() throws Exception {
            PrivatePostgres pg = PrivatePostgres.start();
            opened.add(pg);
            return pg;
        }

        private Scenario keep(Scenario s) {
            scenario = s;
            opened.add(0, s); // closed before the private server it may use
            return s;
        }
    }

    @TestFactory
    Stream<DynamicTest> faultPoints() {
        List<String> only =
                List.of(System.getProperty("sekisho.faults.only", "").split(","));
        return points().stream()
                .filter(p -> only.equals(List.of("")) || only.contains(p.id()))
                .map(p -> DynamicTest.dynamicTest(p.id() + " " + p.fault() + ": " + p.point(), () -> run(p)));
    }

    static void run(Point p) throws Throwable {
        Run c = new Run(p.id());
        String outcome = "OK";
        try {
            Path input = p.body().run(c);
            c.scenario.assertEndState(input, c.scenario.deliveredId());
        } catch (org.opentest4j.TestAbortedException e) {
            outcome = "SKIPPED: " + firstLine(e);
            throw e;
        } catch (Throwable t) {
            outcome = "FAIL: " + firstLine(t);
            throw new AssertionError(p.id() + " (" + p.fault() + ", " + p.point() + "): " + t.getMessage(), t);
        } finally {
            Scenario s = c.scenario;
            for (AutoCloseable a : c.opened) {
                a.close();
            }
            if (s != null) {
                if (!s.notes.isEmpty()) {
                    outcome += " (" + String.join("; ", s.notes.values()) + ")";
                }
                if (outcome.startsWith("OK")) {
                    s.deleteBulk();
                } else {
                    s.keepLogs(Path.of("target", "fault-logs", p.id()));
                }
            }
            table.add(new FaultTable.Row(
                    p.id(),
                    p.fault(),
                    p.point(),
                    outcome,
                    s == null ? null : s.backAfter,
                    s == null ? null : s.doneAfter));
        }
    }

    static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        String line = m.lines().findFirst().orElse(t.getClass().getSimpleName());
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }

    static long pct(int p) {
        return SIZE * p / 100;
    }

    static List<Point> points() {
        return List.of(
                new Point(
                        "g1",
                        "gateway kill -9",
                        "upload at ~10 %; the same send resumes",
                        c -> gatewayDuringUpload(c, 10)),
                new Point(
                        "g2",
                        "gateway kill -9",
                        "upload at ~70 %; the same send resumes",
                        c -> gatewayDuringUpload(c, 70)),
                new Point(
                        "g3",
                        "gateway kill -9",
                        "envelope check (offset == length, row UPLOADING)",
                        FaultSuiteTest::gatewayDuringCheck),
                new Point(
                        "g4",
                        "gateway kill -9",
                        "STORED, before the sender got its receipt",
                        FaultSuiteTest::gatewayAfterStored),
                new Point("g5", "gateway kill -9", "download at ~30 %", FaultSuiteTest::gatewayDuringDownload),
                new Point(
                        "g6",
                        "gateway kill -9",
                        "file placed by the receiver, before the ack",
                        FaultSuiteTest::gatewayBeforeAck),
                new Point(
                        "g7",
                        "gateway kill -9",
                        "between ack and purge (row ACKNOWLEDGED)",
                        FaultSuiteTest::gatewayBetweenAckAndPurge),
                new Point("g8", "gateway kill -9", "idle after PURGED", FaultSuiteTest::gatewayIdle),
                new Point(
                        "s1",
                        "send kill -9",
                        "while sealing; the same command again",
                        FaultSuiteTest::sendWhileSealing),
                new Point(
                        "s2", "send kill -9", "upload at ~30 %; the same command again", c -> sendDuringUpload(c, 30)),
                new Point(
                        "s3", "send kill -9", "upload at ~90 %; the same command again", c -> sendDuringUpload(c, 90)),
                new Point(
                        "s4",
                        "send kill -9",
                        "upload complete, before the receipt; the same command again",
                        FaultSuiteTest::sendBeforeReceipt),
                new Point(
                        "r1",
                        "receive kill -9",
                        "download at ~20 %; receive again",
                        FaultSuiteTest::receiveDuringDownload),
                new Point(
                        "r2",
                        "receive kill -9",
                        "during decryption (.opened… exists); receive again",
                        FaultSuiteTest::receiveWhileDecrypting),
                new Point(
                        "r3",
                        "receive kill -9",
                        "file placed, before the ack; receive again",
                        FaultSuiteTest::receiveBeforeAck),
                new Point(
                        "r4",
                        "receive kill -9",
                        "after the ack, before it finished; receive again",
                        FaultSuiteTest::receiveAfterAck),
                new Point(
                        "p1",
                        "embedded PostgreSQL SIGSTOP",
                        "during an upload; SIGCONT, the same send finishes",
                        FaultSuiteTest::embeddedFrozen),
                new Point(
                        "p2",
                        "embedded PostgreSQL kill -9",
                        "during an upload; the gateway starts it again itself, the same send finishes",
                        FaultSuiteTest::embeddedKilled),
                new Point(
                        "p3",
                        "external PostgreSQL SIGSTOP",
                        "during an upload; SIGCONT, no gateway restart",
                        FaultSuiteTest::externalFrozen),
                new Point(
                        "p4",
                        "external PostgreSQL kill -9 + restart",
                        "during an upload; no gateway restart",
                        FaultSuiteTest::externalKilled),
                new Point("d1", "spool full (64 MiB tmpfs)", "100 MiB upload, then 1 MiB", FaultSuiteTest::spoolFull),
                new Point(
                        "c1",
                        "CRL expiry",
                        "nextUpdate passes while the gateway runs; fresh CRL",
                        FaultSuiteTest::crlExpiry));
    }

    // ---- gateway kill -9

    static Path gatewayDuringUpload(Run c, int percent) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        String id = s.transferId();
        until("upload at " + percent + " %", () -> s.partSize(id) >= pct(percent));
        long t0 = s.killGateway();
        s.note("at", "killed at " + s.partSize(id) / MIB + " MiB");
        s.restartGateway(t0);
        succeeds(send);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path gatewayDuringCheck(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        String id = s.transferId();
        // The check runs for milliseconds after the last byte: no poll at an interval sees it. So:
        // once the upload is in its last chunk, the sender's envelope is whole (the seal runs ahead
        // of the upload and is done when its size stops changing), and the spool file reaching
        // that size is the last byte; a spin on the file's size then kills at once (SIGKILL from
        // Java, no process to launch).
        until("the last chunk", () -> s.partSize(id) >= SIZE - 8 * MIB || s.partSize(id) < 0);
        long[] last = {-1};
        await("the sender's envelope sealed")
                .atMost(Scenario.STEP)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    long now = s.senderEnvelopes().stream()
                            .mapToLong(Scenario::size)
                            .max()
                            .orElse(-1);
                    boolean stable = now > SIZE && now == last[0];
                    last[0] = now;
                    return stable;
                });
        long envelope = last[0];
        long deadline = System.nanoTime() + Scenario.STEP.toNanos();
        long part = s.partSize(id);
        while (part >= 0 && part < envelope && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            part = s.partSize(id);
        }
        long t0 = s.killGateway();
        StoreProbe.TransferRow row = s.row().orElseThrow();
        long spooled = s.partSize(id);
        s.note(
                "at",
                ("UPLOADING".equals(row.state()) && spooled == envelope ? "hit" : "missed") + ": row " + row.state()
                        + ", .part " + spooled + " of " + envelope + " bytes");
        s.restartGateway(t0);
        succeeds(send);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path gatewayAfterStored(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        s.untilState("STORED");
        long t0 = s.killGateway();
        s.note("at", send.alive() ? "send still waiting" : "send had ended");
        s.restartGateway(t0);
        succeeds(send);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path gatewayDuringDownload(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        succeeds(s.send(in));
        String id = s.transferId();
        ChildJvm receive = s.receive();
        until("download at 30 %", () -> size(s.partial(id)) >= pct(30));
        long t0 = s.killGateway();
        s.restartGateway(t0);
        succeeds(receive);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path gatewayBeforeAck(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        succeeds(s.send(in));
        ChildJvm receive = s.receive();
        Path placed = s.out.resolve(in.getFileName());
        until("file placed", () -> Files.exists(placed));
        long t0 = s.killGateway();
        s.note("at", "row " + s.row().orElseThrow().state());
        s.restartGateway(t0);
        s.note("first", "first receive exit " + receive.exitCode(Scenario.STEP));
        succeeds(s.receive());
        s.doneAfter = seconds(t0, System.nanoTime());
        return in;
    }

    static Path gatewayBetweenAckAndPurge(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        succeeds(s.send(in));
        ChildJvm receive = s.receive();
        s.untilState("ACKNOWLEDGED", "PURGED");
        long t0 = s.killGateway();
        s.note(
                "at",
                "ACKNOWLEDGED".equals(s.row().orElseThrow().state()) ? "hit: row ACKNOWLEDGED" : "missed: row PURGED");
        s.restartGateway(t0);
        s.note("first", "first receive exit " + receive.exitCode(Scenario.STEP));
        s.untilState("PURGED");
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path gatewayIdle(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        s.handOff(in);
        s.untilState("PURGED");
        long t0 = s.killGateway();
        s.restartGateway(t0);
        return in;
    }

    // ---- send kill -9

    static Path sendWhileSealing(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        until("sealing at 25 %", () -> s.senderEnvelopes().stream().anyMatch(p -> size(p) >= pct(25)));
        long t0 = System.nanoTime();
        send.kill9();
        succeeds(s.send(in));
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path sendDuringUpload(Run c, int percent) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        String id = s.transferId();
        until("upload at " + percent + " %", () -> s.partSize(id) >= pct(percent));
        long t0 = System.nanoTime();
        send.kill9();
        s.note("at", "killed at " + s.partSize(id) / MIB + " MiB");
        succeeds(s.send(in));
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path sendBeforeReceipt(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        s.untilState("STORED");
        boolean waiting = send.alive();
        long t0 = System.nanoTime();
        send.kill9();
        s.note("at", waiting ? "send still waiting" : "send had ended");
        succeeds(s.send(in));
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    // ---- receive kill -9

    static Path receiveDuringDownload(Run c) throws Exception {
        return receiveKilled(c, "download at 20 %", s -> size(s.partial(s.transferId())) >= pct(20));
    }

    static Path receiveWhileDecrypting(Run c) throws Exception {
        return receiveKilled(
                c,
                "decrypting (.opened at 50 %)",
                s -> named(s.partial("x").getParent(), ".opened").stream().anyMatch(p -> size(p) >= pct(50)));
    }

    static Path receiveBeforeAck(Run c) throws Exception {
        return receiveKilled(c, "file placed", s -> Files.exists(s.out.resolve("input.bin")));
    }

    static Path receiveAfterAck(Run c) throws Exception {
        return receiveKilled(
                c,
                "acknowledged",
                s -> s.row()
                        .map(r -> !"DELIVERED".equals(r.state()) && !"STORED".equals(r.state()))
                        .orElse(false));
    }

    interface Condition {
        boolean holds(Scenario s) throws Exception;
    }

    static Path receiveKilled(Run c, String what, Condition at) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        succeeds(s.send(in));
        s.transferId();
        ChildJvm receive = s.receive();
        until(what, () -> at.holds(s));
        boolean running = receive.alive();
        long t0 = System.nanoTime();
        receive.kill9();
        s.note(
                "at",
                (running ? "killed" : "had ended") + ", row "
                        + s.row().orElseThrow().state());
        succeeds(s.receive());
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive()); // and once more: nothing is written twice
        return in;
    }

    // ---- the audit store

    static Path embeddedFrozen(Run c) throws Exception {
        Scenario s = c.embedded();
        return storeFrozen(s, s.embedded);
    }

    static Path externalFrozen(Run c) throws Exception {
        PrivatePostgres pg = c.privatePostgres();
        Scenario s = c.external(pg);
        return storeFrozen(s, pg.cluster);
    }

    static Path storeFrozen(Scenario s, PgCluster store) throws Exception {
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        if (!store.equals(s.embedded)) {
            s.w.approveAndRoute(s.ports);
        }
        ChildJvm send = s.send(in);
        String id = s.transferId();
        until("upload at 30 %", () -> s.partSize(id) >= pct(30));
        List<Long> frozen = store.freeze();
        long t0 = System.nanoTime();
        try {
            s.note("answer", s.expectAuditUnavailable(id));
        } finally {
            PgCluster.thaw(frozen);
        }
        long thawed = System.nanoTime();
        s.expectServing(id, thawed);
        succeeds(send);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path embeddedKilled(Run c) throws Exception {
        Scenario s = c.embedded();
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        ChildJvm send = s.send(in);
        String id = s.transferId();
        until("upload at 30 %", () -> s.partSize(id) >= pct(30));
        long killed = s.embedded.postmaster().orElseThrow();
        s.embedded.kill9();
        long t0 = System.nanoTime();
        // the gateway's watcher may restart the store (about a second) before this request is answered
        s.note("answer", s.expectAuditUnavailableUnlessRestarted(id, killed));
        // no restart: the gateway's EmbeddedServer starts its PostgreSQL again on the same port
        s.expectServing(id, t0);
        succeeds(send);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    static Path externalKilled(Run c) throws Exception {
        PrivatePostgres pg = c.privatePostgres();
        Scenario s = c.external(pg);
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        s.w.approveAndRoute(s.ports);
        ChildJvm send = s.send(in);
        String id = s.transferId();
        until("upload at 30 %", () -> s.partSize(id) >= pct(30));
        pg.cluster.kill9();
        long t0 = System.nanoTime();
        s.note("answer", s.expectAuditUnavailable(id));
        pg.startServer();
        s.expectServing(id, t0);
        succeeds(send);
        s.doneAfter = seconds(t0, System.nanoTime());
        succeeds(s.receive());
        return in;
    }

    // ---- full spool, expired CRL

    static Path spoolFull(Run c) throws Exception {
        Scenario s = c.embedded();
        s.spoolOnTmpfs("64m");
        s.startGateway();
        Path big = s.input("big.bin", 100 * MIB);
        long t0 = System.nanoTime();
        ChildJvm send = s.send(big);
        Integer code = send.awaitExit(Duration.ofSeconds(60));
        double refusedAfter = seconds(t0, System.nanoTime());
        if (code == null) {
            send.kill9();
        }
        s.note(
                "big",
                "100 MiB: " + (code == null ? "no answer in 60 s" : "exit " + code) + " after "
                        + String.format(Locale.ROOT, "%.1f s", refusedAfter));
        assertTrue(
                code != null && code != 0 && send.output().contains("SPOOL_FULL"),
                "a 100 MiB upload into 64 MiB must end with SPOOL_FULL: "
                        + (code == null ? "no answer in 60 s" : "exit " + code) + "\n" + send.tail());
        await("the refused upload's spool file released")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> s.spoolFiles().isEmpty());
        Path small = s.input("small.bin", MIB);
        long t1 = System.nanoTime();
        s.handOff(small);
        s.doneAfter = seconds(t1, System.nanoTime());
        return small;
    }

    static Path crlExpiry(Run c) throws Exception {
        Path crl = Files.createDirectories(dir.resolve(c.id)).resolve("crl.pem");
        X509CRL shortLived;
        synchronized (world.pki) {
            world.pki.authority().setCrlValidity(Duration.ofSeconds(25));
            shortLived = world.pki.authority().resignCrl();
            Files.copy(world.pki.crlFile(), crl, StandardCopyOption.REPLACE_EXISTING);
            world.pki.authority().setCrlValidity(Duration.ofDays(7));
            world.pki.authority().resignCrl();
        }
        Scenario s = c.embedded(crl);
        Path in = s.input("input.bin", SIZE);
        s.startGateway();
        Instant nextUpdate = shortLived.getNextUpdate().toInstant();
        await("the CRL's nextUpdate passed")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Instant.now().isAfter(nextUpdate.plusSeconds(1)));
        ChildJvm refused = s.send(in);
        int code = refused.exitCode(Scenario.STEP);
        assertNotEquals(0, code, "a send after the CRL expired: " + refused.tail());
        String reason = refused.output()
                .lines()
                .filter(l -> !l.isBlank())
                .reduce((a, b) -> b)
                .orElse("");
        s.note(
                "refused",
                "send refused (exit " + code + "): "
                        + (reason.length() > 100 ? reason.substring(0, 100) + "…" : reason));
        await("TLS_FAILED CRL_EXPIRED audited")
                .atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .pollInterval(Duration.ofMillis(100))
                .until(() -> s.store().count("TLS_FAILED", "CRL_EXPIRED") > 0);
        assertEquals(List.of(), s.spoolFiles(), "nothing stored while refused");
        Path fresh = crl.resolveSibling("crl.pem.new");
        Files.copy(world.pki.crlFile(), fresh, StandardCopyOption.REPLACE_EXISTING);
        long t0 = System.nanoTime();
        Files.move(fresh, crl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        s.handOff(in);
        s.doneAfter = seconds(t0, System.nanoTime());
        return in;
    }
}
