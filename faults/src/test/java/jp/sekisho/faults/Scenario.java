package jp.sekisho.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import jp.sekisho.certs.Identities;
import jp.sekisho.client.Sekisho;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.faults.StoreProbe.TransferRow;

/**
 * One fault scenario in its own folder: a copy of the world's gateway data folder, a random input
 * with a marker every MiB, the gateway, {@code send} and {@code receive} as processes, probes of the
 * real state (spool, transfer row, output folder), and the end-state checks every point must pass.
 */
final class Scenario implements AutoCloseable {

    static final String[] LIFECYCLE = {
        "TRANSFER_STARTED", "TRANSFER_STORED", "TRANSFER_DELIVERED", "TRANSFER_ACKNOWLEDGED", "TRANSFER_PURGED"
    };
    static final Duration STEP = Duration.ofMinutes(3);

    final FaultWorld w;
    final Path root;
    final Path data;
    final Path out;
    final Path config;
    final FaultWorld.Ports ports;
    final byte[] marker = new byte[32];
    final Set<Path> inputs = new HashSet<>();
    final PgCluster embedded;
    /** What happened, for the table: e.g. "hit: row UPLOADING at offset == length". */
    final Map<String, String> notes = new LinkedHashMap<>();

    private StoreProbe probe;
    private GatewayJvm gateway;
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private int starts;
    private boolean mounted;
    /** Seconds from the fault to the gateway serving again / to the interrupted step done. */
    Double backAfter;

    Double doneAfter;

    private Scenario(FaultWorld w, Path root, FaultWorld.Ports ports, String extraYaml, Path crl) throws IOException {
        this.w = w;
        this.root = root;
        this.data = root.resolve("data");
        this.out = Files.createDirectories(root.resolve("out"));
        this.ports = ports;
        this.config = w.writeConfig(root, ports.transfer(), ports.admin(), extraYaml, crl);
        this.embedded = new PgCluster(data.resolve("pg"));
        new Random(root.hashCode()).nextBytes(marker);
    }

    /** A scenario on a copy of the world's stopped data folder (embedded store, approval and route in place). */
    static Scenario embedded(FaultWorld w, String id) throws Exception {
        return embedded(w, id, w.pki.crlFile());
    }

    static Scenario embedded(FaultWorld w, String id, Path crl) throws Exception {
        Path root = Files.createDirectories(w.root.resolve(id));
        run(
                "cp",
                "-a",
                w.template.resolve("data").toString(),
                root.resolve("data").toString());
        Scenario s = new Scenario(w, root, new FaultWorld.Ports(FaultWorld.freePort(), FaultWorld.freePort()), "", crl);
        s.probe = StoreProbe.embedded(s.data);
        return s;
    }

    /** A scenario on an external PostgreSQL: a fresh data folder, the approval and route made after the first start. */
    static Scenario external(FaultWorld w, String id, PrivatePostgres pg) throws Exception {
        Path root = Files.createDirectories(w.root.resolve(id));
        Scenario s = new Scenario(
                w,
                root,
                new FaultWorld.Ports(FaultWorld.freePort(), FaultWorld.freePort()),
                "store:\n  url: " + pg.url() + "\n  user: sekisho_app\n  owner-user: postgres\n",
                w.pki.crlFile());
        s.probe = StoreProbe.external(pg.url());
        return s;
    }

    /** The spool on a tmpfs of that size (root only), mounted before the gateway starts. */
    void spoolOnTmpfs(String size) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                isRoot(), "mounting a tmpfs needs root (CI runs as root); run as root for this point");
        Path spool = Files.createDirectories(spool());
        // the spool's marker moves with it, as an operator moving a spool keeps it (else start-up refuses)
        Path marker = spool.resolve(".sekisho-spool");
        byte[] id = Files.exists(marker) ? Files.readAllBytes(marker) : null;
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", spool.toString());
        mounted = true;
        if (id != null) {
            Files.write(marker, id);
        }
    }

    // ---- processes

    GatewayJvm startGateway() throws Exception {
        starts++;
        gateway = GatewayJvm.start(config, root.resolve("gateway-" + starts + ".log"));
        return gateway;
    }

    GatewayJvm gateway() {
        return gateway;
    }

    /** kill -9 of the gateway; its embedded PostgreSQL stays running, as it does in real life. Returns the kill's time. */
    long killGateway() throws InterruptedException {
        boolean storeUp = embedded.running();
        long t = System.nanoTime();
        gateway.kill9();
        if (storeUp && !embedded.running()) {
            failLater("kill -9 of the gateway took its embedded PostgreSQL with it: not what happens in real life");
        }
        return t;
    }

    /** Starts the gateway again on the same data folder and records how long after T0 it listened. */
    void restartGateway(long t0) throws Exception {
        startGateway();
        backAfter = seconds(t0, gateway.listeningAt);
    }

    Path input(String name, long size) throws IOException {
        Path f = root.resolve(name);
        Random r = new Random(size ^ root.hashCode());
        byte[] mib = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(f)) {
            for (long off = 0; off < size; off += mib.length) {
                r.nextBytes(mib);
                System.arraycopy(marker, 0, mib, 0, marker.length);
                o.write(mib, 0, (int) Math.min(mib.length, size - off));
            }
        }
        inputs.add(f);
        return f;
    }

    ChildJvm send(Path file) throws IOException {
        ChildJvm c = ChildJvm.start(
                "send",
                root.resolve("send-" + children.size() + ".log"),
                Sekisho.class.getName(),
                w.sendArgs(
                        transferUrl(),
                        file,
                        "--gateway-key",
                        data.resolve("audit-signing.pub.pem").toString()));
        children.add(c);
        return c;
    }

    ChildJvm receive() throws IOException {
        ChildJvm c = ChildJvm.start(
                "receive",
                root.resolve("receive-" + children.size() + ".log"),
                Sekisho.class.getName(),
                w.receiveArgs(transferUrl(), out));
        children.add(c);
        return c;
    }

    String transferUrl() {
        return "https://127.0.0.1:" + ports.transfer();
    }

    String adminUrl() {
        return "https://127.0.0.1:" + ports.admin();
    }

    /** The command's exit code must be 0. */
    static void succeeds(ChildJvm c) throws InterruptedException {
        int code = c.exitCode(STEP);
        assertEquals(0, code, c.name + " exit " + code + ":\n" + c.tail());
    }

    /** send, then receive; each must succeed. */
    void handOff(Path file) throws Exception {
        succeeds(send(file));
        succeeds(receive());
    }

    // ---- probes of the real state

    Path spool() {
        return data.resolve("spool");
    }

    StoreProbe store() {
        return probe;
    }

    Optional<TransferRow> row() {
        return probe.first();
    }

    String transferId() {
        return await("a transfer row")
                .atMost(STEP)
                .pollInterval(Duration.ofMillis(10))
                .until(this::row, Optional::isPresent)
                .orElseThrow()
                .id();
    }

    long partSize(String id) {
        try {
            return Files.size(spool().resolve(id + ".part"));
        } catch (IOException e) {
            return -1;
        }
    }

    Path partial(String id) {
        return out.resolve(".sekisho-partial").resolve(id + ".cms");
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Files whose names contain NEEDLE under DIR (none when DIR does not exist). */
    static List<Path> named(Path dir, String needle) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(needle)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The envelopes send seals beside its input: a hidden {@code .NAME.N.cms.part}, or, where send
     * resumes across runs, {@code .sekisho-send/ID/envelope.cms}.
     */
    List<Path> senderEnvelopes() {
        List<Path> found = new ArrayList<>(named(root, ".cms.part"));
        Path state = root.resolve(".sekisho-send");
        if (Files.isDirectory(state)) {
            try (Stream<Path> s = Files.walk(state)) {
                s.filter(p -> p.getFileName().toString().equals("envelope.cms")).forEach(found::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                // removed while we looked: it ended
            }
        }
        return found;
    }

    /** Polls CONDITION every millisecond (real state only, never a fixed sleep), failing with WHAT after the step timeout. */
    static void until(String what, Callable<Boolean> condition) {
        await(what)
                .atMost(STEP)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(condition);
    }

    /** Polls until the transfer row's state is one of STATES. */
    TransferRow untilState(String... states) {
        List<String> wanted = List.of(states);
        return await("transfer state " + wanted)
                .atMost(STEP)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(this::row, r -> r.isPresent() && wanted.contains(r.get().state()))
                .orElseThrow();
    }

    void note(String key, String value) {
        notes.put(key, value);
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    // ---- the end state every point must reach

    /**
     * Exactly one byte-identical file in the output folder; no plaintext anywhere else under the
     * scenario's folder; the spool empty; the transfer's lifecycle events once each; audit verify OK.
     */
    void assertEndState(Path input, String id) throws Exception {
        String name = input.getFileName().toString();
        List<Path> delivered;
        try (Stream<Path> s = Files.list(out)) {
            delivered = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList();
        }
        assertEquals(List.of(out.resolve(name)), delivered, "exactly one file delivered");
        assertEquals(-1L, Files.mismatch(input, out.resolve(name)), "byte-identical (first differing byte)");

        Set<Path> allowed = new HashSet<>(inputs);
        allowed.add(out.resolve(name));
        List<String> plaintext = PlaintextScan.findings(root, marker, allowed);
        assertEquals(List.of(), plaintext, "plaintext left behind");
        assertEquals(List.of(), senderEnvelopes(), "send's envelope left beside the input after its receipt");

        await("the spool emptied after the acknowledgment")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> spoolFiles().isEmpty());

        Map<String, Integer> events = await("the transfer's lifecycle recorded")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .pollInterval(Duration.ofMillis(100))
                .until(() -> probe.events(id), m -> Stream.of(LIFECYCLE).allMatch(m::containsKey));
        for (String type : LIFECYCLE) {
            assertEquals(1, events.get(type), type + " once: " + events);
        }
        FaultWorld.Cli verify = w.cli(
                "auditor",
                adminUrl(),
                "audit",
                "verify",
                "--key",
                data.resolve("audit-signing.pub.pem").toString());
        assertEquals(0, verify.code(), "audit verify: " + verify);
        assertEquals(List.of(), failures, "during the fault");
    }

    /** The transfer the end state is about: the oldest that reached the receiver (else the first). */
    String deliveredId() {
        List<TransferRow> rows = probe.transfers();
        return rows.stream()
                .filter(r -> List.of("DELIVERED", "ACKNOWLEDGED", "PURGED").contains(r.state()))
                .findFirst()
                .or(() -> rows.stream().findFirst())
                .orElseThrow(() -> new AssertionError("no transfer row"))
                .id();
    }

    /** A check that failed while the fault held; the scenario still recovers, and the point fails at the end. */
    void failLater(String what) {
        failures.add(what);
    }

    private GatewayClient sender() {
        return new GatewayClient(
                java.net.URI.create(transferUrl() + "/"),
                Identities.load(w.identity("city-sender"), new char[0]),
                List.of(w.pki.caCertificate()),
                Duration.ofSeconds(5));
    }

    /** GET of the transfer as its sender: status and body, or the I/O failure as status -1. */
    private GatewayClient.Response status(GatewayClient c, String id) {
        try {
            HttpResponse<String> r = c.exchange(
                    HttpRequest.newBuilder(c.resolve("api/v1/routes/" + FaultWorld.ROUTE + "/transfers/" + id))
                            .timeout(Duration.ofSeconds(20))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new GatewayClient.Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new GatewayClient.Response(-1, String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GatewayClient.Response(-1, "interrupted");
        }
    }

    /**
     * While the store is frozen or down, a request that needs it must be answered 503
     * AUDIT_UNAVAILABLE (within the write timeout, 2 s, plus margin); returns what was answered, for the table.
     */
    String expectAuditUnavailable(String id) {
        long t0 = System.nanoTime();
        GatewayClient.Response r = status(sender(), id);
        double s = seconds(t0, System.nanoTime());
        String seen = (r.status() < 0 ? "no answer: " + r.body() : r.status() + " " + reason(r.body()))
                + String.format(java.util.Locale.ROOT, " after %.1f s", s);
        if (r.status() != 503 || !r.body().contains("AUDIT_UNAVAILABLE") || s > 10) {
            failLater("a request during the outage: expected 503 AUDIT_UNAVAILABLE within 10 s, got " + seen);
        }
        return seen;
    }

    /**
     * As {@link #expectAuditUnavailable}, for a store the gateway starts again by itself: a 200 is
     * right too, but only from a new postmaster (the watcher was faster than this request), never
     * from the killed one; anything else (500, no answer) fails.
     */
    String expectAuditUnavailableUnlessRestarted(String id, long killedPostmaster) {
        long t0 = System.nanoTime();
        GatewayClient.Response r = status(sender(), id);
        double s = seconds(t0, System.nanoTime());
        long now = embedded.postmaster().orElse(-1L);
        String seen = (r.status() < 0 ? "no answer: " + r.body() : r.status() + " " + reason(r.body()))
                + String.format(java.util.Locale.ROOT, " after %.1f s", s);
        boolean named = r.status() == 503 && r.body().contains("AUDIT_UNAVAILABLE");
        boolean healed = r.status() == 200 && now > 0 && now != killedPostmaster;
        if (!(named || healed) || s > 10) {
            failLater("a request during the outage: expected 503 AUDIT_UNAVAILABLE within 10 s (or 200 from a"
                    + " restarted store), got " + seen);
        }
        return healed ? seen + " (store already restarted)" : seen;
    }

    private static String reason(String body) {
        int i = body.indexOf("\"reason\"");
        if (i < 0) {
            return body.length() > 60 ? body.substring(0, 60) : body;
        }
        int a = body.indexOf('"', body.indexOf(':', i) + 1);
        return body.substring(a + 1, body.indexOf('"', a + 1));
    }

    /** Polls until the gateway answers the transfer's status again; records the time since SINCE. */
    void expectServing(String id, long since) {
        GatewayClient c = sender();
        await("the gateway serving again")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> status(c, id).status() == 200);
        backAfter = seconds(since, System.nanoTime());
    }

    List<Path> spoolFiles() throws IOException {
        if (!Files.isDirectory(spool())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(spool())) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")) // the marker .sekisho-spool stays
                    .toList();
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor() == 0, String.join(" ", cmd) + ": " + printed);
    }

    /** Every process ended (thawed first), the embedded store stopped, the tmpfs unmounted; the folder kept on failure. */
    @Override
    public void close() throws Exception {
        for (ChildJvm c : children) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (probe != null) {
            probe.close();
        }
        embedded.stopQuietly();
        if (mounted) {
            run("umount", "-l", spool().toString());
        }
    }

    /** Copies the processes' logs of a failed point where they outlive the test's temporary folder. */
    void keepLogs(Path to) throws IOException {
        Files.createDirectories(to);
        for (Path log : named(root, ".log")) {
            Files.copy(log, to.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Frees the disk of a passed scenario (its logs stay). */
    void deleteBulk() throws IOException, InterruptedException {
        for (Path p : inputs) {
            Files.deleteIfExists(p);
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        run("rm", "-rf", data.toString());
    }
}
