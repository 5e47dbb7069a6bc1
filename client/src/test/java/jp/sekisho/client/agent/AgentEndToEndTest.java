package jp.sekisho.client.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.support.ChildCli;
import jp.sekisho.client.support.HandOffWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 item 4's acceptance: {@code sekisho agent} against the real gateway (PostgreSQL, mutual
 * TLS, certificates made at test time). A sending agent watches an outbox, a receiving agent writes
 * into an inbox; each file is sent once across a gateway restart and a kill -9 of the agent mid-upload.
 */
class AgentEndToEndTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static final String ROUTE = "agent-benefit";

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval("2総政第418号", ROUTE, "エージェント送信", 400_000, "答申どおり承認"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    /** A sending agent's configuration for {@code outbox} (created), with extra outbox lines. */
    static Path senderConfig(String name, Path outbox, String... outboxLines) throws IOException {
        Files.createDirectories(outbox);
        StringBuilder y = new StringBuilder();
        y.append("gateway: ").append(world.gw.url("transfer", "")).append('\n');
        y.append("identity: ")
                .append(world.pki.dir().resolve("city-sender.p12"))
                .append('\n');
        y.append("poll: 200ms\nretry-max: 1s\n");
        y.append("outboxes:\n  - route: ").append(ROUTE).append('\n');
        y.append("    folder: ").append(outbox).append('\n');
        for (String l : outboxLines) {
            y.append("    ").append(l).append('\n');
        }
        Path cfg = dir.resolve(name + ".yml");
        Files.writeString(cfg, y.toString(), StandardCharsets.UTF_8);
        return cfg;
    }

    static Path receiverConfig(String name, Path inbox) throws IOException {
        Files.createDirectories(inbox);
        Path cfg = dir.resolve(name + ".yml");
        Files.writeString(
                cfg,
                "gateway: " + world.gw.url("transfer", "") + "\n"
                        + "identity: " + world.pki.dir().resolve("contractor.p12") + "\n"
                        + "key: " + world.enc.keyFile() + "\n"
                        + "trust: " + world.pki.caFile() + "\n"
                        + "poll: 200ms\nretry-max: 1s\n"
                        + "inboxes:\n  - route: " + ROUTE + "\n    folder: " + inbox + "\n",
                StandardCharsets.UTF_8);
        return cfg;
    }

    /** The agent running in this JVM on its own thread, as {@code sekisho agent --config CFG}. */
    static final class InProcess implements AutoCloseable {
        final Thread thread;
        volatile CliRun result;

        InProcess(Path cfg) {
            thread = new Thread(() -> result = CliRun.of("agent", "--config", cfg.toString()), "test-agent");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(30_000);
            assertFalse(thread.isAlive(), "the agent stopped");
        }
    }

    /** Writes {@code rows} residents to a hidden name in {@code outbox}, then renames it in: complete at once. */
    static Path drop(Path outbox, String name, int rows, long seed) throws IOException {
        Path tmp = outbox.resolve("." + name + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            new ResidentGenerator(seed).write(w, rows);
        }
        Path copy = dir.resolve("expected-" + name);
        Files.copy(tmp, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        return copy;
    }

    static long transfersNamed(String filename) throws Exception {
        try (Connection c = world.pg.superuser();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM transfer WHERE filename = ?")) {
            ps.setString(1, filename);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static List<String> visible(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    static void awaitFile(Path p, Duration within) {
        await(p.toString()).atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> Files.isRegularFile(p));
    }

    @Test
    void aDroppedCsvIsSentOnceAndTheReceivingAgentWritesIt() throws Exception {
        Path outbox = dir.resolve("out-once");
        Path inbox = dir.resolve("in-once");
        Path sender = senderConfig("send-once", outbox);
        Path receiver = receiverConfig("recv-once", inbox);
        try (InProcess s = new InProcess(sender);
                InProcess r = new InProcess(receiver)) {
            Path expected = drop(outbox, "once.csv", 1000, 1);
            awaitFile(outbox.resolve("sent/once.csv.receipt.json"), Duration.ofSeconds(30));
            awaitFile(inbox.resolve("once.csv"), Duration.ofSeconds(30));
            assertEquals(-1L, Files.mismatch(expected, inbox.resolve("once.csv")), "received byte-identical");
            assertEquals(List.of("failed", "sent"), visible(outbox), "the outbox holds only sent/ and failed/");
            assertEquals(List.of("once.csv", "once.csv.receipt.json"), visible(outbox.resolve("sent")));
            assertEquals(-1L, Files.mismatch(expected, outbox.resolve("sent/once.csv")));
            String receipt = Files.readString(outbox.resolve("sent/once.csv.receipt.json"));
            assertTrue(receipt.contains("\"records\":1000") || receipt.contains("\"records\": 1000"), receipt);
            assertEquals(List.of(), visible(outbox.resolve(".sekisho-agent/sending")), "nothing left in flight");
            assertEquals(List.of(), visible(outbox.resolve(".sekisho-agent/journal")));
        }
        assertEquals(1, transfersNamed("once.csv.cms"), "one transfer");
    }

    @Test
    void aFileWithAnUnapprovedColumnGoesToFailedWithItsReasonAndNothingIsSent() throws Exception {
        Path outbox = dir.resolve("out-refused");
        Path cfg = senderConfig("send-refused", outbox);
        Files.writeString(outbox.resolve(".bad.csv.tmp"), "name,mynumber\n山田,123456789012\n");
        Files.move(outbox.resolve(".bad.csv.tmp"), outbox.resolve("bad.csv"));
        Files.writeString(outbox.resolve("notes.txt"), "not a CSV\n");
        CliRun run = CliRun.of("agent", "--config", cfg.toString(), "--once");
        assertEquals(1, run.code(), run.toString());
        assertEquals(
                List.of("bad.csv", "bad.csv.reason.txt", "notes.txt", "notes.txt.reason.txt"),
                visible(outbox.resolve("failed")));
        String reason = Files.readString(outbox.resolve("failed/bad.csv.reason.txt"));
        assertTrue(reason.startsWith("reason: DATA_ITEM_NOT_APPROVED\n"), reason);
        assertTrue(reason.contains("(Asia/Tokyo)") && reason.contains("+09:00"), reason);
        assertTrue(reason.contains("拒否されました") && reason.contains("nothing was sent"), reason);
        assertTrue(reason.contains("mynumber"), reason);
        String notCsv = Files.readString(outbox.resolve("failed/notes.txt.reason.txt"));
        assertTrue(notCsv.startsWith("reason: INPUT_ERROR\n") && notCsv.contains("records-from: done-marker"), notCsv);
        assertEquals(0, transfersNamed("bad.csv.cms"), "nothing sent");
        assertEquals(0, transfersNamed("notes.txt.cms"), "nothing sent");
        assertEquals(List.of(), visible(outbox.resolve("sent")));
    }

    /**
     * A file that meets an error no reason code covers (here, after the gateway stored it: a folder an
     * operator left where its receipt is written) is held in sending/ with its send state while the
     * files behind it go on; once the obstacle is gone the next run finishes it without sending again.
     */
    @Test
    void aFileThatKeepsFailingUnexpectedlyIsHeldAndTheFilesBehindItGoOn() throws Exception {
        Path outbox = dir.resolve("out-held");
        Path cfg = senderConfig("send-held", outbox);
        Path obstacle = Files.createDirectories(outbox.resolve("sent/.first.csv.receipt.json.tmp/left"));
        Path first = drop(outbox, "first.csv", 100, 5);
        Files.setLastModifiedTime(
                outbox.resolve("first.csv"), FileTime.from(Instant.now().minusSeconds(60)));
        Path second = drop(outbox, "second.csv", 100, 6);

        Path log = dir.resolve("agent-held.log");
        Process run = ChildCli.start(log, "agent", "--config", cfg.toString(), "--once");
        assertTrue(run.waitFor(120, TimeUnit.SECONDS));
        String logged = Files.readString(log);
        assertEquals(1, run.exitValue(), logged);
        assertTrue(
                logged.contains("file held back after an unexpected error") && logged.contains("file=first.csv"),
                logged);
        assertEquals(
                List.of("second.csv", "second.csv.receipt.json"),
                visible(outbox.resolve("sent")),
                "the file behind it went on");
        assertEquals(-1L, Files.mismatch(second, outbox.resolve("sent/second.csv")));
        assertTrue(Files.isRegularFile(outbox.resolve(".sekisho-agent/sending/first.csv")), "held, not lost");
        assertEquals(List.of(), visible(outbox.resolve("failed")));

        Files.delete(obstacle);
        Files.delete(obstacle.getParent());
        CliRun again = CliRun.of("agent", "--config", cfg.toString(), "--once");
        assertEquals(0, again.code(), again.toString());
        assertEquals(
                List.of("first.csv", "first.csv.receipt.json", "second.csv", "second.csv.receipt.json"),
                visible(outbox.resolve("sent")));
        assertEquals(-1L, Files.mismatch(first, outbox.resolve("sent/first.csv")));
        assertEquals(1, transfersNamed("first.csv.cms"), "stored by the first run, not sent again");
        assertEquals(1, transfersNamed("second.csv.cms"));
    }

    @Test
    void aDoneMarkerCarriesTheRecordCountOfAFileThatIsNotCsv() throws Exception {
        Path outbox = dir.resolve("out-marker");
        Path cfg = senderConfig("send-marker", outbox, "complete: done-marker", "records-from: done-marker");
        Files.write(outbox.resolve("extract.dat"), new byte[] {1, 2, 3, 4});
        CliRun early = CliRun.of("agent", "--config", cfg.toString(), "--once");
        assertEquals(0, early.code(), early.toString());
        assertEquals(List.of("extract.dat", "failed", "sent"), visible(outbox), "no marker yet: not complete");
        Files.writeString(outbox.resolve("extract.dat.done"), "12\n");
        CliRun run = CliRun.of("agent", "--config", cfg.toString(), "--once");
        assertEquals(0, run.code(), run.toString());
        assertEquals(List.of("extract.dat", "extract.dat.receipt.json"), visible(outbox.resolve("sent")));
        assertTrue(Files.readString(outbox.resolve("sent/extract.dat.receipt.json"))
                .contains("12"));
        assertEquals(List.of("failed", "sent"), visible(outbox), "the marker went with the file");
        assertEquals(1, transfersNamed("extract.dat.cms"));
    }

    @Test
    void aFileDroppedWhileTheGatewayIsDownIsSentOnceAfterItReturns() throws Exception {
        Path outbox = dir.resolve("out-restart");
        Path cfg = senderConfig("send-restart", outbox);
        int transfer = world.gw.gateway.port("transfer");
        int admin = world.gw.gateway.port("admin");
        try (InProcess s = new InProcess(cfg)) {
            Path first = drop(outbox, "before.csv", 200, 2);
            awaitFile(outbox.resolve("sent/before.csv.receipt.json"), Duration.ofSeconds(30));
            world.stopGateway();
            try {
                drop(outbox, "during.csv", 300, 3);
                await("claimed while the gateway is down")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> Files.exists(outbox.resolve(".sekisho-agent/sending/during.csv")));
                await("not sent while the gateway is down, over several tries with backoff")
                        .during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> !Files.exists(outbox.resolve("sent/during.csv")));
            } finally {
                world.startGateway(transfer, admin);
            }
            awaitFile(outbox.resolve("sent/during.csv.receipt.json"), Duration.ofSeconds(30));
            assertTrue(Files.isRegularFile(outbox.resolve("sent/before.csv")) && Files.isRegularFile(first));
        }
        assertEquals(1, transfersNamed("during.csv.cms"), "sent once after the gateway returned");
        assertEquals(1, transfersNamed("before.csv.cms"));
    }

    @Test
    void aBadConfigurationNamesTheLineAndFieldAndExits2() throws Exception {
        Path outbox = Files.createDirectories(dir.resolve("out-bad"));
        Path cfg = dir.resolve("bad.yml");
        Files.writeString(
                cfg,
                "gateway: " + world.gw.url("transfer", "") + "\n"
                        + "identity: " + world.pki.dir().resolve("city-sender.p12") + "\n"
                        + "outboxes:\n"
                        + "  - route: " + ROUTE + "\n"
                        + "    folder: " + outbox + "\n"
                        + "    complete: when-ready\n");
        CliRun run = CliRun.of("agent", "--config", cfg.toString());
        assertEquals(2, run.code(), run.toString());
        assertTrue(run.err().contains("line 6: outboxes[0].complete: "), run.toString());
        assertTrue(run.err().contains("rename or done-marker"), run.toString());

        Files.writeString(cfg, "gateway: http://127.0.0.1:1\nidentity: x\n");
        CliRun http = CliRun.of("agent", "check", "--config", cfg.toString());
        assertEquals(2, http.code(), http.toString());
        assertTrue(http.err().contains("line 1: gateway: ") && http.err().contains("https://"), http.toString());

        Files.writeString(cfg, "gateway: https://127.0.0.1:1\nidentity: x\npoll: 1s\ncolour: blue\n");
        CliRun unknown = CliRun.of("agent", "check", "--config", cfg.toString());
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(
                unknown.err().contains("line 4: colour: ") && unknown.err().contains("unknown key"),
                unknown.toString());

        Path good = senderConfig("check-good", dir.resolve("out-check"));
        CliRun check = CliRun.of("agent", "check", "--config", good.toString());
        assertEquals(0, check.code(), check.toString());
        assertTrue(check.out().contains("route " + ROUTE) && check.out().contains("CN=city-sender"), check.toString());
    }

    /** The acceptance test: kill -9 of the agent mid-upload, a restart, and still one transfer. */
    @Test
    void anAgentKilledMidUploadSendsTheFileOnceAfterItsRestart() throws Exception {
        Path outbox = dir.resolve("out-kill");
        Path inbox = dir.resolve("in-kill");
        Path cfg = senderConfig("send-kill", outbox, "chunk-size: 16KiB");
        Path log = dir.resolve("agent-kill.log");
        Process p = ChildCli.start(log, "agent", "--config", cfg.toString());
        Path expected;
        boolean sealed;
        try {
            expected = drop(outbox, "big.csv", 20_000, 4);
            await("part of the upload on the gateway")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("the agent ended: " + Files.readString(log));
                        }
                        return uploaded("big.csv.cms") > 0;
                    });
            ChildCli.signal("STOP", p.pid());
            assertEquals("UPLOADING", state("big.csv.cms"), "stopped mid-upload");
            sealed = sendState(outbox.resolve(".sekisho-agent/sending")).contains("\"envelopeSha256\":\"");
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertTrue(Files.isRegularFile(outbox.resolve(".sekisho-agent/sending/big.csv")), "kept in flight");
        Process again = ChildCli.start(dir.resolve("agent-kill-2.log"), "agent", "--config", cfg.toString());
        try {
            awaitFile(outbox.resolve("sent/big.csv.receipt.json"), Duration.ofSeconds(120));
        } finally {
            again.destroy(); // SIGTERM: systemd's stop
            assertTrue(again.waitFor(30, TimeUnit.SECONDS));
        }
        String log2 = Files.readString(dir.resolve("agent-kill-2.log"));
        // killed after its envelope was complete: continued; killed while it sealed: started again, a new envelope
        assertTrue(
                log2.contains(sealed ? "resuming transfer" : "a new one goes on the same upload"),
                "sealed " + sealed + ": " + log2);
        assertEquals(1, transfersNamed("big.csv.cms"), "one transfer, not two");
        assertEquals(List.of("big.csv", "big.csv.receipt.json"), visible(outbox.resolve("sent")), "in sent/ once");
        CliRun r = CliRun.of(
                "agent", "--config", receiverConfig("recv-kill", inbox).toString(), "--once");
        assertEquals(0, r.code(), r.toString());
        assertEquals(-1L, Files.mismatch(expected, inbox.resolve("big.csv")), "received byte-identical");
    }

    /** The send state the agent keeps for the file in flight ({@code sending/.sekisho-send/}). */
    static String sendState(Path sending) throws IOException {
        try (Stream<Path> s = Files.list(sending.resolve(".sekisho-send"))) {
            return Files.readString(s.findFirst().orElseThrow().resolve("state.json"));
        }
    }

    static long uploaded(String filename) throws Exception {
        try (Connection c = world.pg.superuser();
                PreparedStatement ps =
                        c.prepareStatement("SELECT coalesce(max(upload_offset), 0) FROM transfer WHERE filename = ?")) {
            ps.setString(1, filename);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static String state(String filename) throws Exception {
        try (Connection c = world.pg.superuser();
                PreparedStatement ps = c.prepareStatement("SELECT state FROM transfer WHERE filename = ?")) {
            ps.setString(1, filename);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
