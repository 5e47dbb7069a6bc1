package jp.sekisho.client.transfer;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.support.HandOffWorld;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a continuous {@code sekisho receive} (no --once) waits on the inbox, so a transfer sent
 * after it started is received at once, not after its --interval (set here far longer than the test).
 */
class ReceiveLongPollTest {

    static final String REF = "2総政第181号";
    static final String ROUTE = "kurume-poll";

    @TempDir
    static Path dir;

    static HandOffWorld world;

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval(REF, ROUTE, "特別定額給付金", 10_000, "答申どおり承認"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aTransferSentWhileReceiveWaitsArrivesAtOnce() throws Exception {
        Path csv = dir.resolve("rows-1000.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(1000).write(w, 1000);
        }
        Path out = Files.createDirectories(dir.resolve("in"));
        AtomicReference<CliRun> receiving = new AtomicReference<>();
        Thread receiver = new Thread(
                () -> receiving.set(CliRun.of(
                        "receive",
                        "--gateway",
                        world.gw.url("transfer", ""),
                        "--route",
                        ROUTE,
                        "--identity",
                        world.pki.dir().resolve("contractor.p12").toString(),
                        "--out",
                        out.toString(),
                        "--key",
                        world.enc.keyFile().toString(),
                        "--trust",
                        world.pki.caFile().toString(),
                        "--interval",
                        "10m")),
                "test-receive");
        receiver.start();
        try {
            // the receiver's first listing found nothing and is held by the gateway
            Awaitility.await("the receiver's listing is held")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> world.gw.gateway.transfers().inboxWaiters() == 1);
            long t0 = System.nanoTime();
            CliRun sent = CliRun.of(
                    "send",
                    "--gateway",
                    world.gw.url("transfer", ""),
                    "--route",
                    ROUTE,
                    "--identity",
                    world.pki.dir().resolve("city-sender.p12").toString(),
                    "--file",
                    csv.toString());
            long t1 = System.nanoTime();
            ok(sent);
            Path got = out.resolve("rows-1000.csv");
            Awaitility.await("received long before --interval (10 min) would list again")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> Files.exists(got));
            long t2 = System.nanoTime();
            assertArrayEquals(Files.readAllBytes(csv), Files.readAllBytes(got));
            System.out.printf(
                    "continuous receive, 1,000 rows: send %d ms, written in the inbox folder %d ms after send returned"
                            + " (%d ms from the start of send)%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t2 - t0) / 1_000_000);
            assertTrue(Duration.ofNanos(t2 - t1).compareTo(Duration.ofSeconds(20)) < 0);
        } finally {
            receiver.interrupt();
            receiver.join(30_000);
        }
        CliRun r = receiving.get();
        assertEquals(0, r.code(), String.valueOf(r));
        assertTrue(!r.err().contains("does not hold inbox listings"), r.err());
    }
}
