package jp.sekisho.client.transfer;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.Sekisho;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.support.HandOffWorld;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 2: {@code receive} killed (kill -9 of its JVM, or SIGTERM) at the exact points of the
 * hand-off, against the real gateway. The points are reached by a relay that holds the bytes there
 * ({@link HoldingProxy}), not by timing: the file placed but the acknowledgment not sent; the
 * acknowledgment taken by the gateway but its answer lost; the envelope half decrypted. After each,
 * the next run leaves exactly one byte-identical file, the transfer PURGED and no plaintext anywhere.
 */
class ReceiveCrashTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static TestPki pki;
    static ExternalPostgres pg;
    static GatewayFixture gw;
    static Credential enc;
    static final String REF = "2総政第171号";
    static final String ROUTE = "crash-route";
    static final Duration CHILD = Duration.ofMinutes(2); // a JVM starting on a loaded machine

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval(REF, ROUTE, "障害試験", 100_000, "承認"));
        pki = world.pki;
        pg = world.pg;
        gw = world.gw;
        enc = world.enc;
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    static GatewayClient contractor() {
        return world.client("contractor");
    }

    static List<String> receiveArgs(String gatewayUrl, Path out, Path trust) {
        return world.receiveArgs(gatewayUrl, ROUTE, out, trust);
    }

    static CliRun receive(Path out) {
        return CliRun.of(receiveArgs(gw.url("transfer", ""), out, pki.caFile()).toArray(String[]::new));
    }

    /** {@code sekisho receive} in its own JVM, through the proxy, its output in {@code log}. */
    static Process receiveProcess(HoldingProxy proxy, Path out, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Sekisho.class.getName()));
        cmd.addAll(receiveArgs("https://127.0.0.1:" + proxy.port(), out, pki.caFile()));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    static HoldingProxy proxy(HoldingProxy.Hold hold, long trigger) throws IOException {
        return new HoldingProxy(URI.create(gw.url("transfer", "")).getPort(), hold, trigger);
    }

    static Path csv(String name, int rows) throws IOException {
        Path csv = dir.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(rows).write(w, rows);
        }
        return csv;
    }

    /** Sends {@code csv} and returns its transfer id and envelope size, as the inbox lists them. */
    static Map<?, ?> send(Path csv) {
        CliRun sent = CliRun.of(world.sendArgs(
                ROUTE,
                csv,
                // uncompressed: the crash points need an envelope as large as the file, to stall mid-download
                "--no-compress",
                "--json"));
        ok(sent);
        String id = Receipt.parse(sent.out()).get("transferId");
        return contractor().get("api/v1/routes/" + ROUTE + "/inbox").array().stream()
                .map(o -> (Map<?, ?>) o)
                .filter(m -> id.equals(m.get("transferId")))
                .findFirst()
                .orElseThrow();
    }

    static String state(Object id) {
        return String.valueOf(contractor()
                .get("api/v1/routes/" + ROUTE + "/transfers/" + id)
                .object()
                .get("state"));
    }

    static List<Path> files(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static List<Path> plaintext(Path out) throws IOException {
        return files(out.resolve(".sekisho-partial")).stream()
                .filter(p -> p.getFileName().toString().contains(".opened"))
                .toList();
    }

    static String journal(Path out) throws IOException {
        List<Path> entries = files(out.resolve(".sekisho-partial").resolve("journal")).stream()
                .filter(p -> p.getFileName().toString().endsWith(".json"))
                .toList();
        return entries.size() == 1 ? Files.readString(entries.get(0)) : "";
    }

    static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    /** After the next run: one file, byte-identical, the transfer purged, nothing else in the folder. */
    static void assertDeliveredOnce(Path out, Path csv, Object id) throws IOException {
        assertEquals(List.of(out.resolve(csv.getFileName())), files(out), "exactly one file");
        assertEquals(-1L, Files.mismatch(csv, out.resolve(csv.getFileName())), "byte-identical");
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(csv.getFileName()))));
        try (Stream<Path> s = Files.list(out.resolve(".sekisho-partial"))) {
            assertEquals(List.of(), s.toList(), "no journal, lock, envelope or plaintext left");
        }
        assertEquals("PURGED", state(id));
    }

    @Test
    void killedAfterPlacingAndBeforeTheAcknowledgmentTheNextRunOnlyAcknowledges() throws Exception {
        Path csv = csv("placed.csv", 5000);
        Map<?, ?> item = send(csv);
        Path out = Files.createDirectories(dir.resolve("in-placed"));
        Path log = dir.resolve("placed.log");
        try (HoldingProxy proxy = proxy(HoldingProxy.Hold.REQUESTS, ((Number) item.get("size")).longValue())) {
            Process child = receiveProcess(proxy, out, log);
            try {
                await("the file placed and journaled PLACED; the acknowledgment held in the relay")
                        .atMost(CHILD)
                        .pollInterval(Duration.ofMillis(20))
                        .ignoreExceptions()
                        .until(() -> journal(out).contains("\"state\":\"PLACED\"")
                                && Files.exists(out.resolve("placed.csv")));
            } finally {
                kill9(child);
            }
        }
        assertEquals("DELIVERED", state(item.get("transferId")), "the acknowledgment never reached the gateway");
        assertEquals(List.of(out.resolve("placed.csv")), files(out), Files.readString(log));
        assertEquals(List.of(), plaintext(out));

        CliRun next = receive(out);
        ok(next);
        System.out.println(next); // which answer the gateway gave shows in the report
        assertTrue(
                next.out().contains("既に受領済み、確認応答のみ送信")
                        && next.out().contains("already placed as " + out.resolve("placed.csv"))
                        && next.out().contains("acknowledged"),
                next.toString());
        assertFalse(next.out().contains("received "), "nothing downloaded or written again: " + next);
        assertDeliveredOnce(out, csv, item.get("transferId"));
    }

    @Test
    void killedAfterTheGatewayTookTheAcknowledgmentTheNextRunWritesNothing() throws Exception {
        Path csv = csv("answer-lost.csv", 4000);
        Map<?, ?> item = send(csv);
        Object id = item.get("transferId");
        Path out = Files.createDirectories(dir.resolve("in-answer-lost"));
        try (HoldingProxy proxy = proxy(HoldingProxy.Hold.OTHER_ANSWERS, ((Number) item.get("size")).longValue())) {
            Process child = receiveProcess(proxy, out, dir.resolve("answer-lost.log"));
            try {
                await("acknowledged on the gateway, the answer held in the relay")
                        .atMost(CHILD)
                        .pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions()
                        .until(() -> "PURGED".equals(state(id)));
            } finally {
                kill9(child);
            }
        }
        assertTrue(journal(out).contains("\"state\":\"PLACED\""), "the run never heard the answer");

        CliRun next = receive(out);
        ok(next);
        System.out.println(next); // which answer the gateway gave shows in the report
        assertTrue(
                next.out().contains("既に受領済み、確認応答のみ送信")
                        && next.out().contains("already placed as " + out.resolve("answer-lost.csv")),
                next.toString());
        assertDeliveredOnce(out, csv, id);
    }

    /** kill -9 half-way through the decryption: its plaintext stays (0600) until the next run removes it. */
    @Test
    void plaintextAKilledRunLeftIsOwnerOnlyAndRemovedByTheNextRun() throws Exception {
        Path csv = csv("half.csv", 20_000);
        Map<?, ?> item = send(csv);
        Path out = Files.createDirectories(dir.resolve("in-half"));
        long half = ((Number) item.get("size")).longValue() / 2;
        try (HoldingProxy proxy = proxy(HoldingProxy.Hold.ANSWERS, half)) {
            Process child = receiveProcess(proxy, out, dir.resolve("half.log"));
            try {
                await("the download stalled half-way with decrypted bytes on disk")
                        .atMost(CHILD)
                        .pollInterval(Duration.ofMillis(20))
                        .ignoreExceptions()
                        .until(() -> proxy.triggered()
                                && plaintext(out).size() == 1
                                && Files.size(plaintext(out).get(0)) > 0);
                assertEquals(
                        "rw-------",
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(plaintext(out).get(0))),
                        "created owner-only");
            } finally {
                kill9(child);
            }
        }
        assertEquals(1, plaintext(out).size(), "kill -9 leaves the decrypted temporary file");

        CliRun next = receive(out);
        ok(next);
        assertTrue(next.err().contains("復号済み一時ファイルを削除しました（1件）"), next.toString());
        assertTrue(next.out().contains("received " + out.resolve("half.csv")), next.toString());
        assertDeliveredOnce(out, csv, item.get("transferId"));
    }

    /** SIGTERM half-way: the shutdown hook deletes the plaintext at once; the envelope stays for the resume. */
    @Test
    void sigtermMidDecryptionLeavesNoPlaintext() throws Exception {
        Path csv = csv("term.csv", 20_000);
        Map<?, ?> item = send(csv);
        Path out = Files.createDirectories(dir.resolve("in-term"));
        try (HoldingProxy proxy = proxy(HoldingProxy.Hold.ANSWERS, ((Number) item.get("size")).longValue() / 2)) {
            Process child = receiveProcess(proxy, out, dir.resolve("term.log"));
            try {
                await("decrypting")
                        .atMost(CHILD)
                        .pollInterval(Duration.ofMillis(20))
                        .ignoreExceptions()
                        .until(() -> proxy.triggered() && plaintext(out).size() == 1);
                child.destroy(); // SIGTERM
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            } finally {
                kill9(child);
            }
        }
        assertEquals(List.of(), plaintext(out), "the shutdown hook removed it");
        assertTrue(
                Files.exists(out.resolve(".sekisho-partial").resolve(item.get("transferId") + ".cms")),
                "the encrypted partial stays for the resume");

        CliRun next = receive(out);
        ok(next);
        assertFalse(next.err().contains("削除しました"), "nothing left to sweep: " + next);
        assertDeliveredOnce(out, csv, item.get("transferId"));
    }

    /** A transfer that cannot be opened (signer not trusted) leaves its envelope and no plaintext. */
    @Test
    void anOpenFailureLeavesNoPlaintext() throws Exception {
        Path csv = csv("untrusted.csv", 3000);
        Map<?, ?> item = send(csv);
        Path out = Files.createDirectories(dir.resolve("in-untrusted"));
        Path otherCa = TestPki.create(dir.resolve("other-ca")).caFile();
        CliRun refused =
                CliRun.of(receiveArgs(gw.url("transfer", ""), out, otherCa).toArray(String[]::new));
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("not acknowledged"), refused.toString());
        assertEquals(List.of(), files(out), "nothing placed");
        assertEquals(
                List.of(out.resolve(".sekisho-partial").resolve(item.get("transferId") + ".cms")),
                files(out.resolve(".sekisho-partial")),
                "only the envelope: no plaintext, no journal, no lock");

        ok(receive(out));
        assertDeliveredOnce(out, csv, item.get("transferId"));
    }

    /** The envelope of a waiting transfer as the gateway serves it (the gateway records it DELIVERED). */
    static Path download(Object id, Path to) throws Exception {
        GatewayClient c = contractor();
        java.net.http.HttpResponse<Path> res = c.exchange(
                java.net.http.HttpRequest.newBuilder(
                                c.resolve("api/v1/routes/" + ROUTE + "/transfers/" + id + "/payload"))
                        .GET()
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofFile(to));
        assertEquals(200, res.statusCode());
        return to;
    }

    /**
     * The two states a crash around the link leaves, built on disk exactly: PLACING with the file
     * already linked (the crash came before PLACED was written) is acknowledged only; PLACING without
     * the file (before the link), with its opened plaintext left, is received again, once.
     */
    @Test
    void aPlacingEntryIsAcknowledgedWhenItsFileIsThereAndReceivedAgainWhenNot() throws Exception {
        Path linkedCsv = csv("linked.csv", 1500);
        Path unlinkedCsv = csv("unlinked.csv", 1200);
        Map<?, ?> linked = send(linkedCsv);
        Map<?, ?> unlinked = send(unlinkedCsv);
        Path out = Files.createDirectories(dir.resolve("in-placing"));
        Path partial = Files.createDirectories(out.resolve(".sekisho-partial"));
        ReceiveJournal journal = new ReceiveJournal(partial);
        for (Map<?, ?> item : List.of(linked, unlinked)) {
            String id = String.valueOf(item.get("transferId"));
            String name = item == linked ? "linked.csv" : "unlinked.csv";
            Path envelope = download(id, partial.resolve(id + ".cms"));
            Path opened = Plaintext.opened(partial, id);
            jp.sekisho.envelope.OpenResult r = jp.sekisho.envelope.Opener.open(
                    envelope,
                    opened,
                    enc.privateKey(),
                    enc.certificate(),
                    jp.sekisho.envelope.TrustAnchors.fromPem(pki.caFile()));
            journal.write(new ReceiveJournal.Entry(
                    id,
                    ROUTE,
                    String.valueOf(item.get("sha256")),
                    name,
                    r.plaintextSha256(),
                    r.bytes(),
                    ((Number) item.get("records")).longValue(),
                    r.signerSummary().subject(),
                    "CN=city-sender,O=Sekisho",
                    ReceiveJournal.State.PLACING,
                    java.time.Instant.now()));
            if (item == linked) {
                Files.createLink(out.resolve(name), opened); // linked; the opened name not yet deleted
            }
            assertEquals("DELIVERED", state(id));
        }

        CliRun next = receive(out);
        ok(next);
        assertTrue(
                next.out().contains("already placed as " + out.resolve("linked.csv"))
                        && next.out().contains("received " + out.resolve("unlinked.csv")),
                next.toString());
        assertTrue(next.err().contains("（2件）"), "both opened files swept: " + next);
        assertEquals(List.of(out.resolve("linked.csv"), out.resolve("unlinked.csv")), files(out));
        assertEquals(-1L, Files.mismatch(linkedCsv, out.resolve("linked.csv")));
        assertEquals(-1L, Files.mismatch(unlinkedCsv, out.resolve("unlinked.csv")));
        try (Stream<Path> st = Files.list(partial)) {
            assertEquals(List.of(), st.toList());
        }
        assertEquals("PURGED", state(linked.get("transferId")));
        assertEquals("PURGED", state(unlinked.get("transferId")));
    }

    /** Two runs on one folder would delete each other's files: the second is refused while the first runs. */
    @Test
    void aSecondReceiveOnTheSameFolderIsRefused() throws Exception {
        Path out = Files.createDirectories(dir.resolve("in-locked"));
        Path partial = Files.createDirectories(out.resolve(".sekisho-partial"));
        try (OutputLock held = OutputLock.acquire(partial)) {
            CliRun second = receive(out);
            assertEquals(3, second.code(), second.toString());
            assertTrue(second.err().contains("別の receive がこの出力フォルダを使用中です"), second.toString());
        }
        ok(receive(out));
        assertEquals(List.of(), files(partial), "the lock file goes with its run");
    }
}
