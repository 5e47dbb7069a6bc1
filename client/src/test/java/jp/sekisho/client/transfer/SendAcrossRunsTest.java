package jp.sekisho.client.transfer;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.support.ChildCli;
import jp.sekisho.client.support.HandOffWorld;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17 item 4, client side: a {@code send} killed with {@code kill -9} (in a child JVM, against
 * the real gateway) is continued by the same command run again: the same transfer completes, its
 * receipt is printed, and nothing stays beside the input. A refusal, and an input changed between
 * the runs, end or restart the send without leftovers.
 */
class SendAcrossRunsTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static TestPki pki;
    static ExternalPostgres pg;
    static GatewayFixture gw;
    static Credential enc;
    static final String REF = "2総政第158号";
    static final String ROUTE = "kurume-benefit";
    /** Small PATCHes (each made durable by the gateway) keep the upload well behind the seal. */
    static final String CHUNK = "16KiB";
    /** About 4 MiB: a few seconds of such PATCHes, while the seal takes a fraction of a second. */
    static final int ROWS = 20_000;

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval(REF, ROUTE, "特別定額給付金", 305_115, "答申どおり承認"));
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

    /** The arguments of one send command; the test runs the very same ones twice. */
    static String[] sendArgs(Path input, String... more) {
        return sendArgs(gw.url("transfer", ""), input, more);
    }

    static String[] sendArgs(String gateway, Path input, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "send",
                "--gateway",
                gateway,
                "--route",
                ROUTE,
                "--identity",
                pki.dir().resolve("city-sender.p12").toString(),
                "--file",
                input.toString(),
                "--chunk-size",
                CHUNK,
                "--json"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** An input alone in its own folder, so that "nothing beside it" can be checked. */
    static Path input(String folder, int rows, long seed) throws IOException {
        Path d = Files.createDirectories(dir.resolve(folder));
        Path csv = d.resolve("residents.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(seed).write(w, rows);
        }
        return csv;
    }

    static List<String> beside(Path input) throws IOException {
        return names(input.getParent());
    }

    static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static Optional<Path> stateFolder(Path input) throws IOException {
        Path parent = input.resolveSibling(SendState.FOLDER);
        if (!Files.isDirectory(parent)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(parent)) {
            return s.findFirst();
        }
    }

    static Optional<SendState.Saved> saved(Path input) throws IOException {
        Optional<Path> f = stateFolder(input);
        if (f.isEmpty() || !Files.isRegularFile(f.get().resolve(SendState.STATE))) {
            return Optional.empty();
        }
        try {
            return SendStateJson.read(Files.readString(f.get().resolve(SendState.STATE)));
        } catch (IOException e) {
            return Optional.empty(); // replaced just now
        }
    }

    static String id(SendState.Saved s) {
        return TusUploader.lastSegment(URI.create(s.uploadUrl()));
    }

    static Optional<String> column(String id, String column) throws Exception {
        try (Connection c = pg.superuser();
                PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM transfer WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    static long offset(String id) throws Exception {
        return column(id, "upload_offset").map(Long::parseLong).orElse(0L);
    }

    static long transfersNamed(String filename) throws Exception {
        try (Connection c = pg.superuser();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM transfer WHERE filename = ?")) {
            ps.setString(1, filename);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static SendState.Saved killMidUpload(Path input, String... args) throws Exception {
        return stopMidUpload(input, "KILL", args);
    }

    /** Waits until the child's envelope is sealed and the gateway holds part of its upload. */
    static SendState.Saved awaitMidUpload(Process p, Path log, Path input) {
        AtomicReference<SendState.Saved> at = new AtomicReference<>();
        await("the child's envelope sealed and part of it uploaded")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new AssertionError("the send ended too early: " + Files.readString(log));
                    }
                    Optional<SendState.Saved> s = saved(input);
                    if (s.isEmpty() || !s.get().sealed() || s.get().uploadUrl() == null) {
                        return false;
                    }
                    at.set(s.get());
                    return offset(id(s.get())) > 0;
                });
        return at.get();
    }

    /**
     * Runs the send in a child JVM and ends it with {@code signal} (KILL: -9; TERM: as a service
     * manager or Ctrl-C would) once its envelope is sealed and the gateway holds part of the upload:
     * stopped first (SIGSTOP), so the point is checked before the signal.
     */
    static SendState.Saved stopMidUpload(Path input, String signal, String... args) throws Exception {
        Path log = dir.resolve(input.getParent().getFileName() + ".child.log");
        Process p = ChildCli.start(log, args);
        try {
            SendState.Saved s = awaitMidUpload(p, log, input);
            ChildCli.signal("STOP", p.pid());
            long held = offset(id(s));
            assertTrue(
                    held > 0 && held < s.envelopeBytes(),
                    "stopped mid-upload: " + held + " of " + s.envelopeBytes() + " bytes");
            assertEquals(Optional.of("UPLOADING"), column(id(s), "state"));
            if (signal.equals("KILL")) {
                p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            } else {
                ChildCli.signal(signal, p.pid());
                ChildCli.signal("CONT", p.pid());
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(signal.equals("KILL") ? 137 : 143, p.exitValue(), Files.readString(log));
            return s;
        } finally {
            p.destroyForcibly();
        }
    }

    /** The transfer as the receiver gets it: exactly the input's bytes. */
    static void receivedIntact(Path input, String name, String folder) throws Exception {
        Path out = Files.createDirectories(dir.resolve(folder));
        CliRun got = CliRun.of(world.receiveArgs(ROUTE, out).toArray(String[]::new));
        ok(got);
        assertEquals(
                List.of(name),
                names(out).stream().filter(n -> !n.startsWith(".")).toList());
        Path file = out.resolve(name);
        assertEquals(-1L, Files.mismatch(input, file), "received byte-identical");
    }

    @ParameterizedTest(name = "chunk checksums {0}")
    @ValueSource(booleans = {false, true})
    void aSendKilledMidUploadIsContinuedByTheSameCommand(boolean checksums) throws Exception {
        Path input = input("killed-" + checksums, ROWS, 17);
        String name = "killed-" + checksums + ".csv";
        String[] args = checksums
                ? sendArgs(input, "--filename", name + ".cms", "--chunk-checksums")
                : sendArgs(input, "--filename", name + ".cms");
        SendState.Saved killed = killMidUpload(input, args);

        Path folder = stateFolder(input).orElseThrow();
        assertEquals(
                List.of(SendState.ENVELOPE, SendState.LOCK, SendState.STATE), names(folder), "kept for the next run");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(SendState.ENVELOPE))));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(SendState.STATE))));

        long t0 = System.nanoTime();
        CliRun again = CliRun.of(args);
        System.out.printf(
                "run after kill -9 (chunk checksums %s): %d ms, stderr:%n%s",
                checksums, (System.nanoTime() - t0) / 1_000_000, again.err());
        ok(again);
        Receipt receipt = Receipt.parse(again.out());
        assertEquals(id(killed), receipt.get("transferId"), "the same transfer completes: " + again);
        assertEquals("STORED", receipt.get("state"));
        assertEquals(Long.toString(killed.envelopeBytes()), receipt.get("size"));
        assertEquals(killed.envelopeSha256(), receipt.get("sha256"));
        assertTrue(again.err().contains("resuming transfer " + id(killed)), again.toString());
        assertEquals(1, transfersNamed(name + ".cms"), "one transfer, not two");
        assertEquals(List.of("residents.csv"), beside(input), "nothing left beside the input");
        receivedIntact(input, name, "in-killed-" + checksums);
    }

    /** {@code --encrypted}: no envelope is kept (the input is one), only the upload's URL and the input's hash. */
    @Test
    void anEncryptedSendKilledMidUploadIsContinuedByTheSameCommand() throws Exception {
        Path csv = input("encrypted-plain", ROWS, 25);
        Path env = Files.createDirectories(dir.resolve("encrypted")).resolve("residents.csv.cms");
        try (java.io.InputStream in = Files.newInputStream(csv);
                java.io.OutputStream o = Files.newOutputStream(env)) {
            jp.sekisho.envelope.Sealer.seal(
                    in,
                    o,
                    Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(enc.certificate()),
                    jp.sekisho.envelope.ContentCipher.AES_256_GCM);
        }
        List<String> a = new ArrayList<>(List.of(sendArgs(env, "--filename", "encrypted.csv.cms")));
        a.set(a.indexOf("--file"), "--encrypted");
        a.addAll(List.of("--records", Integer.toString(ROWS)));
        String[] args = a.toArray(String[]::new);
        SendState.Saved killed = killMidUpload(env, args);
        assertEquals(
                List.of(SendState.LOCK, SendState.STATE), names(stateFolder(env).orElseThrow()));
        assertEquals(Files.size(env), killed.envelopeBytes());

        CliRun again = CliRun.of(args);
        ok(again);
        assertEquals(id(killed), Receipt.parse(again.out()).get("transferId"), again.toString());
        assertEquals(1, transfersNamed("encrypted.csv.cms"));
        assertEquals(List.of("residents.csv.cms"), beside(env));
        receivedIntact(csv, "encrypted.csv", "in-encrypted");
    }

    /**
     * The gateway stopped during its envelope check (recreated here as a crash leaves it: the row
     * UPLOADING with every byte, the spool file still {@code .part}): resuming waits for the check,
     * bounded, then sends the completing PATCH again, which has the gateway check it now; if the
     * check ends meanwhile (recovery at start-up), it just takes the result.
     */
    @ParameterizedTest(name = "recovery finishes the check while waiting: {0}")
    @ValueSource(booleans = {false, true})
    void anUploadCompleteButUncheckedIsWaitedForThenCompleted(boolean recovered) throws Exception {
        Path csv = input("unchecked-" + recovered, 500, 27);
        Path env = csv.resolveSibling("residents.csv.cms");
        jp.sekisho.envelope.SealResult sealed;
        try (java.io.InputStream in = Files.newInputStream(csv);
                java.io.OutputStream o = Files.newOutputStream(env)) {
            sealed = jp.sekisho.envelope.Sealer.seal(
                    in,
                    o,
                    Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(enc.certificate()),
                    jp.sekisho.envelope.ContentCipher.AES_256_GCM);
        }
        GatewayClient sender = world.client("city-sender");
        AtomicReference<URI> location = new AtomicReference<>();
        String id = new TusUploader(sender, ROUTE, 1 << 20, Backoff.standard(2), Progress.none())
                .onCreated(location::set)
                .upload(
                        env,
                        sealed.envelopeBytes(),
                        "unchecked-" + recovered + ".csv.cms",
                        sealed.envelopeSha256(),
                        500)
                .transferId();
        Path spool = gw.dir.resolve("data").resolve("spool");
        try (Connection c = pg.superuser();
                PreparedStatement ps = c.prepareStatement("UPDATE transfer SET state = 'UPLOADING', stored_at = NULL, "
                        + "receipt = NULL WHERE id = ? AND state = 'STORED'")) {
            ps.setString(1, id);
            assertEquals(1, ps.executeUpdate());
        }
        Files.move(spool.resolve(id + ".cms"), spool.resolve(id + ".part"));

        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        List<String> notices = new CopyOnWriteArrayList<>();
        TusUploader resuming = new TusUploader(sender, ROUTE, 1 << 20, Backoff.standard(2), Progress.none())
                .notices(m -> {
                    notices.add(m);
                    waiting.countDown();
                })
                .checkWait(recovered ? Duration.ofSeconds(60) : Duration.ofSeconds(2));
        java.util.concurrent.CompletableFuture<TusUploader.Result> r =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> resuming.resume(env, location.get(), sealed, false));
        assertTrue(waiting.await(30, TimeUnit.SECONDS), "waits for the check");
        assertTrue(notices.get(0).contains("checking the envelope"), notices.toString());
        long t0 = System.nanoTime();
        if (recovered) { // what recovery at start-up does: the check passes, the file is promoted
            Files.move(spool.resolve(id + ".part"), spool.resolve(id + ".cms"));
            try (Connection c = pg.superuser();
                    PreparedStatement ps = c.prepareStatement(
                            "UPDATE transfer SET state = 'STORED', stored_at = now() WHERE id = ?")) {
                ps.setString(1, id);
                assertEquals(1, ps.executeUpdate());
            }
        }
        assertEquals(id, r.get(60, TimeUnit.SECONDS).transferId());
        assertTrue(
                (System.nanoTime() - t0) / 1_000_000_000 < 30,
                "the recovered check is taken when it ends, not at the bound");
        assertEquals(Optional.of("STORED"), column(id, "state"));
        assertTrue(Files.isRegularFile(spool.resolve(id + ".cms")), "stored in the spool");
        Files.delete(env);
        receivedIntact(csv, "unchecked-" + recovered + ".csv", "in-unchecked-" + recovered);
    }

    /**
     * Killed while it sealed and uploaded at once: the envelope was never finished and cannot be made
     * again (a fresh key and signature), so the same command seals a new one and starts the same
     * upload again from byte 0 (Sekisho-Upload-Rewind). One transfer, stored with the new envelope.
     */
    @Test
    void aSendKilledWhileItSealedStartsTheSameUploadAgainWithANewEnvelope() throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path input = input("killed-sealing-" + attempt, 300_000, 40 + attempt);
            String name = "killed-sealing-" + attempt + ".csv";
            String[] args = sendArgs(input, "--filename", name + ".cms");
            SendState.Saved killed = killMidSeal(input, args);
            if (killed == null) {
                assertTrue(attempt < 3, "the seal ended before the test could stop the send, three times");
                continue;
            }
            String old = id(killed);
            long held = offset(old);
            // the same command; a larger chunk only makes it quicker (it is not part of "the same send")
            List<String> same = new ArrayList<>(List.of(args));
            same.set(same.indexOf(CHUNK), "4MiB");
            CliRun again = CliRun.of(same.toArray(String[]::new));
            ok(again);
            assertTrue(again.err().contains("a new one goes on the same upload"), again.toString());
            Receipt receipt = Receipt.parse(again.out());
            assertEquals(old, receipt.get("transferId"), "the same transfer, started again: " + again);
            assertEquals("STORED", receipt.get("state"));
            assertEquals(1, transfersNamed(name + ".cms"), "one transfer, not two");
            assertTrue(held > 0, "the gateway held part of the first envelope: " + held);
            assertEquals(List.of("residents.csv"), beside(input), "nothing left beside the input");
            receivedIntact(input, name, "in-killed-sealing-" + attempt);
            return;
        }
    }

    /**
     * Runs the send in a child JVM and kills it (-9) while it still seals, once the gateway holds part
     * of its upload; null when the seal ended before the child could be stopped (the state says sealed).
     */
    static SendState.Saved killMidSeal(Path input, String... args) throws Exception {
        Path log = dir.resolve(input.getParent().getFileName() + ".child.log");
        Process p = ChildCli.start(log, args);
        try {
            AtomicReference<SendState.Saved> at = new AtomicReference<>();
            await("part of the child's upload on the gateway while it seals")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("the send ended too early: " + Files.readString(log));
                        }
                        Optional<SendState.Saved> s = saved(input);
                        if (s.isEmpty() || s.get().uploadUrl() == null) {
                            return false;
                        }
                        at.set(s.get());
                        return s.get().sealed() || offset(id(s.get())) > 0;
                    });
            ChildCli.signal("STOP", p.pid());
            SendState.Saved s = saved(input).orElseThrow();
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            if (s.sealed()) {
                return null;
            }
            assertEquals(Optional.of("UPLOADING"), column(id(s), "state"));
            assertEquals(Optional.empty(), column(id(s), "length"), "nothing declared yet");
            return s;
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code --restart}: an interrupted send that could be continued is ended instead, and the file sent afresh. */
    @Test
    void restartEndsTheInterruptedUploadAndSendsAfresh() throws Exception {
        Path input = input("restart", 100, 26);
        GatewayClient sender = world.client("city-sender");
        // what an interrupted run leaves: an open upload, its URL, a sealed envelope
        String sha = "ab".repeat(32);
        URI upload = new TusUploader(sender, ROUTE, 1 << 20, Backoff.standard(0), Progress.none())
                .create(1000, "restart.csv.cms", sha, 100);
        try (SendState st = SendState.open(input, ROUTE)) {
            st.begin(
                    new SendState.Command(
                            ROUTE,
                            gw.url("transfer", "/"),
                            input.toString(),
                            false,
                            "restart.csv.cms",
                            100,
                            false,
                            false),
                    SendState.Fingerprint.of(input));
            st.created(upload);
            Files.write(st.envelope(), new byte[1000]);
            st.sealed(new jp.sekisho.envelope.SealResult(-1, 1000, sha));
        }
        String old = TusUploader.lastSegment(upload);
        assertEquals(Optional.of("UPLOADING"), column(old, "state"));

        CliRun r = CliRun.of(sendArgs(input, "--filename", "restart.csv.cms", "--restart"));
        sentAfresh(r, old, input, "restart.csv", "--restart", "afresh");
    }

    /** Interrupted (SIGTERM) after the gateway stored it but before the receipt: the next run only fetches the receipt. */
    @Test
    void aSendInterruptedAfterTheGatewayStoredItOnlyFetchesTheReceipt() throws Exception {
        Path input = input("stored", ROWS, 22);
        String[] args = sendArgs(input, "--filename", "stored.csv.cms");
        SendState.Saved stopped = stopMidUpload(input, "TERM", args);
        String said = Files.readString(dir.resolve("stored.child.log"));
        assertTrue(
                said.contains("中断しました") && said.contains("run the same command again to resume"),
                "the interrupted run says what it kept: " + said);
        // what the interrupted run would have sent next, had it lived to the completing PATCH
        TusUploader.Result r = new TusUploader(
                        world.client("city-sender"), ROUTE, 1 << 20, Backoff.standard(2), Progress.none())
                .resume(
                        stateFolder(input).orElseThrow().resolve(SendState.ENVELOPE),
                        URI.create(stopped.uploadUrl()),
                        stopped.seal(),
                        false);
        assertEquals(id(stopped), r.transferId());
        assertEquals(Optional.of("STORED"), column(id(stopped), "state"));

        CliRun again = CliRun.of(args);
        ok(again);
        assertEquals(id(stopped), Receipt.parse(again.out()).get("transferId"), again.toString());
        assertFalse(again.err().contains("resuming"), "nothing left to send: " + again);
        assertEquals(1, transfersNamed("stored.csv.cms"));
        assertEquals(List.of("residents.csv"), beside(input));
        receivedIntact(input, "stored.csv", "in-stored");
    }

    /**
     * The envelope is not forced to disk: the state records the boot it was sealed in. After a crash
     * of the machine (another boot) pages never written back may be gone: the next run checks the
     * envelope before it sends a byte of it, ends the earlier upload and sends afresh.
     */
    @Test
    void afterACrashOfTheMachineALostEnvelopeIsSealedAgainAndTheEarlierUploadEnded() throws Exception {
        Path input = input("crash-lost", ROWS, 26);
        String[] args = sendArgs(input, "--filename", "crash-lost.csv.cms");
        SendState.Saved killed = killMidUpload(input, args);
        assertNotNull(Boot.current(), "this test runs on Linux");
        assertEquals(Boot.current(), killed.sealedInBoot(), "sealed in this boot, not forced to disk");
        Path folder = stateFolder(input).orElseThrow();
        inAnotherBoot(folder);
        try (RandomAccessFile f =
                new RandomAccessFile(folder.resolve(SendState.ENVELOPE).toFile(), "rw")) {
            f.seek(f.length() / 2); // what a crash can leave of pages never written back: zeros
            f.write(new byte[(int) (f.length() - f.length() / 2)]);
        }

        sentAfresh(
                CliRun.of(args),
                id(killed),
                input,
                "crash-lost.csv",
                "マシンの再起動",
                "did not survive the machine's restart");
    }

    /** After a crash of the machine an envelope that did reach the disk is checked, then the same upload continues. */
    @Test
    void afterACrashOfTheMachineAnIntactEnvelopeContinuesTheSameUpload() throws Exception {
        Path input = input("crash-kept", ROWS, 27);
        String[] args = sendArgs(input, "--filename", "crash-kept.csv.cms");
        SendState.Saved killed = killMidUpload(input, args);
        inAnotherBoot(stateFolder(input).orElseThrow());

        CliRun again = CliRun.of(args);
        ok(again);
        assertEquals(id(killed), Receipt.parse(again.out()).get("transferId"), again.toString());
        assertTrue(again.err().contains("resuming transfer " + id(killed)), again.toString());
        assertEquals(1, transfersNamed("crash-kept.csv.cms"), "one transfer, not two");
        receivedIntact(input, "crash-kept.csv", "in-crash-kept");
    }

    /**
     * {@code again} stored the input as a new transfer and said why ({@code said}); the earlier upload
     * was ended by the sender; nothing is left beside the input; the receiver gets its bytes as {@code name}.
     */
    private static void sentAfresh(CliRun again, String earlier, Path input, String name, String... said)
            throws Exception {
        ok(again);
        String id = Receipt.parse(again.out()).get("transferId");
        assertNotEquals(earlier, id, "a new transfer: " + again);
        for (String s : said) {
            assertTrue(again.err().contains(s), "says '" + s + "': " + again);
        }
        assertEquals(Optional.of("ABORTED"), column(earlier, "state"), "the earlier upload is ended");
        assertEquals(Optional.of("TERMINATED_BY_SENDER"), column(earlier, "reason"));
        assertEquals(Optional.of("STORED"), column(id, "state"));
        assertEquals(List.of("residents.csv"), beside(input));
        receivedIntact(input, name, "in-" + name.replace(".csv", ""));
    }

    /** Rewrites the state as if it had been written before the machine last started. */
    private static void inAnotherBoot(Path folder) throws IOException {
        Path state = folder.resolve(SendState.STATE);
        String json = Files.readString(state);
        String moved = json.replace(Boot.current(), "00000000-0000-4000-8000-000000000000");
        assertNotEquals(json, moved, "the state names its boot: " + json);
        Files.writeString(state, moved);
    }

    @Test
    void aChangedInputStartsAfreshAndEndsTheEarlierUpload() throws Exception {
        Path input = input("changed", ROWS, 18);
        String[] args = sendArgs(input, "--filename", "changed.csv.cms");
        SendState.Saved killed = killMidUpload(input, args);
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            new ResidentGenerator(19).write(w, ROWS); // same records, other content
        }

        sentAfresh(CliRun.of(args), id(killed), input, "changed.csv", "入力ファイルが変更", "the input changed");
    }

    @Test
    void aRefusalOnResumeRemovesTheStateAndItsEnvelope() throws Exception {
        Path input = input("refused", ROWS, 20);
        String[] args = sendArgs(input, "--filename", "refused.csv.cms");
        SendState.Saved killed = killMidUpload(input, args);
        Path envelope = stateFolder(input).orElseThrow().resolve(SendState.ENVELOPE);
        try (RandomAccessFile f = new RandomAccessFile(envelope.toFile(), "rw")) {
            f.seek(f.length() - 100); // past what the gateway holds: it is sent on resume
            int b = f.read();
            f.seek(f.length() - 100);
            f.write(b ^ 1);
        }

        CliRun again = CliRun.of(args);
        assertEquals(1, again.code(), "the gateway refuses the envelope: " + again);
        assertTrue(again.err().contains("PAYLOAD_"), again.toString());
        assertEquals(List.of("residents.csv"), beside(input), "the state and its envelope are gone");
        assertEquals(Optional.of("REJECTED"), column(id(killed), "state"));
    }

    /** The gateway unreachable mid-upload (exit 3): the state stays, the message says so, and the same command resumes. */
    @Test
    void aSendCutOffFromTheGatewayKeepsItsStateAndTheSameCommandResumes() throws Exception {
        Path input = input("cut", ROWS, 23);
        int target = URI.create(gw.url("transfer", "")).getPort();
        Relay relay = new Relay(0, target);
        int port = relay.port();
        String[] args = sendArgs("https://127.0.0.1:" + port, input, "--filename", "cut.csv.cms", "--retries", "0");
        Path log = dir.resolve("cut.child.log");
        Process p = ChildCli.start(log, args);
        SendState.Saved cut;
        try {
            cut = awaitMidUpload(p, log, input);
            relay.close(); // every connection cut, nothing listens any more
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
            relay.close();
        }
        String said = Files.readString(log);
        assertEquals(3, p.exitValue(), said);
        assertTrue(
                said.contains("同じコマンドをもう一度実行すると続きから送ります") && said.contains("run the same command again to resume"),
                said);
        assertEquals(List.of(SendState.FOLDER, "residents.csv"), beside(input));
        assertEquals(Optional.of("UPLOADING"), column(id(cut), "state"));

        try (Relay back = new Relay(port, target)) {
            CliRun again = CliRun.of(args);
            ok(again);
            assertEquals(id(cut), Receipt.parse(again.out()).get("transferId"), again.toString());
        }
        assertEquals(1, transfersNamed("cut.csv.cms"));
        assertEquals(List.of("residents.csv"), beside(input));
        receivedIntact(input, "cut.csv", "in-cut");
    }

    /** Unreachable before anything was sent: exit 3, and nothing is left beside the input. */
    @Test
    void aSendThatNeverReachedTheGatewayLeavesNothing() throws Exception {
        Path input = input("unreachable", 100, 24);
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun r = CliRun.of(sendArgs("https://127.0.0.1:" + closed, input, "--retries", "0"));
        assertEquals(3, r.code(), r.toString());
        assertEquals(List.of("residents.csv"), beside(input));
    }

    /** A TCP relay to the gateway that the test can cut off: the gateway unreachable, for real. */
    static final class Relay implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        Relay(int port, int target) throws IOException {
            this.target = target;
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread t = new Thread(this::accept, "relay-accept");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(in);
                    open.add(out);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(
                    () -> {
                        try {
                            from.getInputStream().transferTo(to.getOutputStream());
                        } catch (IOException ignored) {
                            // cut off
                        } finally {
                            quietly(from);
                            quietly(to);
                        }
                    },
                    "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void quietly(java.io.Closeable c) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void close() {
            quietly(server);
            open.forEach(Relay::quietly);
        }
    }

    @Test
    void aSecondRunWhileTheFirstHoldsTheStateIsRefusedAndTouchesNothing() throws Exception {
        Path input = input("locked", 100, 21);
        try (SendState held = SendState.open(input, ROUTE)) {
            CliRun second = CliRun.of(sendArgs(input, "--filename", "locked.csv.cms"));
            assertEquals(2, second.code(), second.toString());
            assertTrue(second.err().contains("実行中") && second.err().contains("is running"), second.toString());
            assertTrue(Files.isDirectory(held.folder()), "the first run's folder stays");
        }
        CliRun sent = CliRun.of(sendArgs(input, "--filename", "locked.csv.cms"));
        ok(sent);
        assertFalse(sent.err().contains("afresh"), "an empty folder is no earlier send: " + sent);
        assertEquals(List.of("residents.csv"), beside(input));
        receivedIntact(input, "locked.csv", "in-locked");
    }
}
