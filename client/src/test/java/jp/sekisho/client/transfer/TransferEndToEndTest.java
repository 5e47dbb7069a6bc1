package jp.sekisho.client.transfer;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.support.HandOffWorld;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.SealResult;
import jp.sekisho.envelope.Sealer;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 5's acceptance, client side, against the real gateway: PKI, PostgreSQL, an approval
 * approved by two secretariat members and a route applied with the real commands, then
 * {@code sekisho send} and {@code sekisho receive} over mutual TLS on the transfer listener.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransferEndToEndTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static TestPki pki;
    static ExternalPostgres pg;
    static GatewayFixture gw;
    static Credential enc;
    static Credential stranger;
    static Path residents;
    static final int ROWS = 305_115;
    static final String REF = "2総政第158号";
    static final String ROUTE = "kurume-benefit";

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval(REF, ROUTE, "特別定額給付金", ROWS, "答申どおり承認"));
        pki = world.pki;
        pg = world.pg;
        gw = world.gw;
        enc = world.enc;
        stranger = pki.recipient("stranger-enc");
        residents = dir.resolve("residents.csv");
        try (BufferedWriter w = Files.newBufferedWriter(residents, StandardCharsets.UTF_8)) {
            new ResidentGenerator(158).write(w, ROWS);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    static CliRun send(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "send",
                "--gateway",
                gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                pki.dir().resolve("city-sender.p12").toString()));
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    static CliRun receive(Path out, String key, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "receive",
                "--gateway",
                gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                pki.dir().resolve("contractor.p12").toString(),
                "--out",
                out.toString(),
                "--key",
                key,
                "--trust",
                pki.caFile().toString(),
                "--once"));
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    static Path spool() {
        return gw.dir.resolve("data").resolve("spool");
    }

    static List<Path> spooled() throws IOException {
        if (!Files.isDirectory(spool())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(spool())) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")) // the marker .sekisho-spool stays
                    .toList();
        }
    }

    static void assertSameBytes(Path expected, Path actual) throws IOException {
        assertEquals(Files.size(expected), Files.size(actual), actual.toString());
        assertEquals(-1L, Files.mismatch(expected, actual), "first differing byte");
    }

    static Path smallCsv(String name, int rows) throws IOException {
        Path csv = dir.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(rows).write(w, rows);
        }
        return csv;
    }

    @Test
    @Order(1)
    void aColumnTheCouncilDidNotApproveIsRefusedBeforeUpload() throws Exception {
        Path csv = dir.resolve("salaries.csv");
        Files.writeString(csv, "name,address,salary\nDUMMY 山田 太郎,久留米市,1\n");
        CliRun r = send("--file", csv.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(
                r.err().contains("DATA_ITEM_NOT_APPROVED: column 'salary'")
                        && r.err().contains(REF),
                r.toString());
        assertEquals(List.of(), spooled());
    }

    @Test
    @Order(2)
    void the305115RowCsvArrivesByteIdenticalAndNothingRemainsInTheSpool() throws Exception {
        Path key = gw.dir.resolve("data").resolve("audit-signing.pub.pem");
        long t0 = System.nanoTime();
        CliRun sent = send("--file", residents.toString(), "--gateway-key", key.toString());
        long t1 = System.nanoTime();
        assertEquals(0, sent.code(), sent.toString());
        assertTrue(
                sent.out().contains("records:   305115")
                        && sent.out().contains("approval:  " + REF)
                        && sent.out().contains("state:     STORED")
                        && sent.out().contains("signature: valid"),
                sent.toString());
        assertEquals(1, spooled().size(), "stored on the gateway: " + spooled());
        Path out = Files.createDirectories(dir.resolve("in"));
        CliRun got = receive(out, enc.keyFile().toString());
        long t2 = System.nanoTime();
        assertEquals(0, got.code(), got.toString());
        assertTrue(
                got.out().contains("305115 records") && got.out().contains("signed by CN=city-sender,O=Sekisho"),
                got.toString());
        assertSameBytes(residents, out.resolve("residents.csv"));
        assertEquals(List.of(), spooled(), "after the acknowledgment no file of the transfer remains");
        try (Stream<Path> s = Files.list(out.resolve(".sekisho-partial"))) {
            assertEquals(0, s.count());
        }
        assertNotNull(gw.awaitEvent(
                EventType.TRANSFER_ACKNOWLEDGED, e -> ROUTE.equals(e.event().routeId())));
        System.out.printf(
                "real gateway, 305,115 rows (%d bytes): send %d ms, receive %d ms%n",
                Files.size(residents), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    /** With chunk checksums the gateway drops the broken chunk; without, it keeps what arrived: both resume. */
    @ParameterizedTest(name = "chunk checksums {0}")
    @ValueSource(booleans = {true, false})
    @Order(3)
    void anInterruptedUploadResumesFromTheGatewaysOffsetAndArrivesByteIdentical(boolean checksums) throws Exception {
        String name = "resume-" + checksums + ".csv";
        Path csv = smallCsv(name, 5000);
        Path env = dir.resolve(name + ".cms");
        SealResult sealed;
        try (InputStream in = Files.newInputStream(csv);
                OutputStream o = Files.newOutputStream(env)) {
            sealed = Sealer.seal(
                    in,
                    o,
                    Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(enc.certificate()),
                    ContentCipher.AES_256_GCM);
        }
        GatewayClient client = world.client("city-sender");
        AtomicBoolean cut = new AtomicBoolean();
        long chunk = 100_000;
        TusUploader up = new TusUploader(
                        client,
                        ROUTE,
                        chunk,
                        new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 8, Backoff.REAL),
                        Progress.none())
                .chunkChecksums(checksums)
                .intercept((offset, in) -> offset != 2 * chunk || !cut.compareAndSet(false, true)
                        ? in
                        : new java.io.FilterInputStream(in) {
                            long sent;

                            @Override
                            public int read(byte[] b, int off, int len) throws IOException {
                                if (sent >= 30_000) {
                                    throw new IOException("injected: network gone 30000 bytes into the third chunk");
                                }
                                int n = super.read(b, off, (int) Math.min(len, 30_000 - sent));
                                sent += Math.max(n, 0);
                                return n;
                            }
                        });
        TusUploader.Result r = up.upload(env, sealed.envelopeBytes(), name + ".cms", sealed.envelopeSha256(), 5000);
        assertTrue(cut.get() && r.retries() >= 1, "interrupted and retried: " + r);
        Path out = Files.createDirectories(dir.resolve("in-" + name));
        ok(receive(out, enc.keyFile().toString()));
        assertSameBytes(csv, out.resolve(name));
        assertEquals(List.of(), spooled());
    }

    /** The upload follows the seal (deferred length); a cut in the middle resumes once the seal is done. */
    @Test
    @Order(3)
    void anUploadWhileSealingThatBreaksOffResumesAndArrivesByteIdentical() throws Exception {
        String name = "overlap.csv";
        Path csv = smallCsv(name, 20_000);
        Path env = dir.resolve(name + ".cms.part");
        Arrival arrival = new Arrival();
        java.util.concurrent.FutureTask<SealResult> sealing = new java.util.concurrent.FutureTask<>(() -> {
            try (InputStream in = Files.newInputStream(csv);
                    OutputStream o = new PublishingOutputStream(Files.newOutputStream(env), arrival)) {
                SealResult r = Sealer.seal(
                        in,
                        o,
                        Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                        List.of(enc.certificate()),
                        ContentCipher.AES_256_GCM);
                arrival.finished();
                return r;
            }
        });
        new Thread(sealing, "test-seal").start();
        GatewayClient client = world.client("city-sender");
        AtomicBoolean cut = new AtomicBoolean();
        long chunk = 200_000;
        TusUploader up = new TusUploader(
                        client,
                        ROUTE,
                        chunk,
                        new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 8, Backoff.REAL),
                        Progress.none())
                .intercept((offset, in) -> offset != chunk || !cut.compareAndSet(false, true)
                        ? in
                        : new java.io.FilterInputStream(in) {
                            long sent;

                            @Override
                            public int read(byte[] b, int off, int len) throws IOException {
                                if (sent >= 30_000) {
                                    throw new IOException("injected: network gone 30000 bytes into the second chunk");
                                }
                                int n = super.read(b, off, (int) Math.min(len, 30_000 - sent));
                                sent += Math.max(n, 0);
                                return n;
                            }
                        });
        TusUploader.Result r =
                up.uploadWhileSealing(env, arrival, sealing, Files.size(csv), name + ".cms", 20_000, null);
        assertNotNull(r, "the gateway takes deferred-length uploads");
        assertTrue(cut.get() && r.retries() >= 1, "interrupted and retried: " + r);
        assertEquals(sealing.get().envelopeBytes(), r.bytes());
        Path out = Files.createDirectories(dir.resolve("in-" + name));
        ok(receive(out, enc.keyFile().toString()));
        assertSameBytes(csv, out.resolve(name));
        assertEquals(List.of(), spooled());
    }

    @Test
    @Order(4)
    void whatCannotBeOpenedIsNotAcknowledgedAndStaysOnTheGateway() throws Exception {
        Path csv = smallCsv("keep.csv", 300);
        ok(send("--file", csv.toString()));
        Path out = Files.createDirectories(dir.resolve("in-refused"));
        CliRun wrong = receive(out, stranger.keyFile().toString());
        assertEquals(1, wrong.code(), wrong.toString());
        assertTrue(
                wrong.err().contains("NOT_FOR_THIS_RECIPIENT") && wrong.err().contains("not acknowledged"),
                wrong.toString());
        assertEquals(1, spooled().size(), "the gateway keeps its copy");

        // Altered on the gateway's disk: the receiver's hash check refuses it before opening.
        try (Stream<Path> partial = Files.list(out.resolve(".sekisho-partial"))) {
            Files.delete(partial.findFirst().orElseThrow());
        }
        Path file = spooled().get(0);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 1);
        }
        // One transfer that cannot be received does not hold up the next one.
        Path after = smallCsv("after.csv", 200);
        ok(send("--file", after.toString()));
        CliRun altered = receive(out, enc.keyFile().toString());
        assertEquals(1, altered.code(), altered.toString());
        assertTrue(altered.err().contains("DOWNLOAD_HASH_MISMATCH"), altered.toString());
        assertJapaneseFirst("DOWNLOAD_HASH_MISMATCH", altered);
        assertSameBytes(after, out.resolve("after.csv"));
        Files.delete(out.resolve("after.csv"));
        assertEquals(1, spooled().size(), "the altered one stays, the other was acknowledged and purged");
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(0, s.filter(Files::isRegularFile).count(), "nothing of the altered one written");
        }
        // Put the byte back: the same transfer is then received and acknowledged.
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 1);
        }
        try (Stream<Path> st = Files.list(out.resolve(".sekisho-partial"))) {
            assertEquals(0, st.count(), "an envelope whose hash did not match is not kept");
        }
        ok(receive(out, enc.keyFile().toString()));
        assertSameBytes(csv, out.resolve("keep.csv"));
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    @Test
    @Order(5)
    void opensslOpensWhatSendUploadedAndAnOpensslEnvelopeGoesThrough() throws Exception {
        Path csv = smallCsv("interop.csv", 2000);
        // stock openssl (Debian's, built without zlib) cannot inflate: the contractor's case for --no-compress
        CliRun sent = send("--file", csv.toString(), "--json", "--no-compress");
        assertEquals(0, sent.code(), sent.toString());
        String id = Receipt.parse(sent.out()).get("transferId");
        GatewayClient contractor = world.client("contractor");
        Path uploaded = dir.resolve("uploaded.cms");
        HttpResponse<Path> res = contractor.exchange(
                HttpRequest.newBuilder(contractor.resolve("api/v1/routes/" + ROUTE + "/transfers/" + id + "/payload"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofFile(uploaded));
        assertEquals(200, res.statusCode());
        run(
                "openssl",
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                uploaded.toString(),
                "-recip",
                enc.certificateFile().toString(),
                "-inkey",
                enc.keyFile().toString(),
                "-outform",
                "DER",
                "-out",
                "signed.der");
        run(
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "signed.der",
                "-CAfile",
                pki.caFile().toString(),
                "-out",
                "interop.plain");
        assertSameBytes(csv, dir.resolve("interop.plain"));

        Credential s = pki.client("openssl-sender");
        run(
                "openssl",
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-in",
                csv.toString(),
                "-signer",
                s.certificateFile().toString(),
                "-inkey",
                s.keyFile().toString(),
                "-md",
                "sha256",
                "-outform",
                "DER",
                "-out",
                "os-signed.der");
        run(
                "openssl",
                "cms",
                "-encrypt",
                "-binary",
                "-aes-256-gcm",
                "-in",
                "os-signed.der",
                "-recip",
                enc.certificateFile().toString(),
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha256",
                "-keyopt",
                "rsa_mgf1_md:sha256",
                "-outform",
                "DER",
                "-out",
                "os-interop.csv.cms");
        ok(send("--encrypted", dir.resolve("os-interop.csv.cms").toString(), "--records", "2000"));
        Path out = Files.createDirectories(dir.resolve("in-interop"));
        CliRun got = receive(out, enc.keyFile().toString());
        assertEquals(0, got.code(), got.toString());
        assertTrue(got.out().contains("signed by CN=openssl-sender"), got.toString());
        assertSameBytes(csv, out.resolve("interop.csv"));
        assertSameBytes(csv, out.resolve("os-interop.csv"));
        assertEquals(List.of(), spooled());
    }

    /** Issue 18: a CSV is compressed inside the envelope by default, random data is not; both arrive byte-identical. */
    @Test
    @Order(5)
    void sendCompressesACsvButNotRandomDataAndReceiveInflatesIt() throws Exception {
        Path csv = smallCsv("compressible.csv", 20_000);
        Path random = dir.resolve("random.bin");
        byte[] noise = new byte[2 << 20];
        new java.util.Random(18).nextBytes(noise);
        Files.write(random, noise);
        GatewayClient contractor = world.client("contractor");
        for (Path file : List.of(csv, random)) {
            CliRun sent = file == csv
                    ? send("--file", file.toString(), "--json")
                    : send("--file", file.toString(), "--records", "1", "--json");
            assertEquals(0, sent.code(), sent.toString());
            String id = Receipt.parse(sent.out()).get("transferId");
            long envelope = contractor.get("api/v1/routes/" + ROUTE + "/inbox").array().stream()
                    .map(o -> (java.util.Map<?, ?>) o)
                    .filter(m -> id.equals(m.get("transferId")))
                    .map(m -> ((Number) m.get("size")).longValue())
                    .findFirst()
                    .orElseThrow();
            if (file == csv) {
                assertTrue(envelope < Files.size(csv) / 3, "compressed: " + envelope + " of " + Files.size(csv));
            } else {
                assertTrue(envelope > Files.size(random), "not compressed: " + envelope);
            }
            Path out = Files.createDirectories(dir.resolve("in-" + file.getFileName()));
            CliRun got = receive(out, enc.keyFile().toString());
            assertEquals(0, got.code(), got.toString());
            assertSameBytes(file, out.resolve(file.getFileName()));
        }
        assertEquals(List.of(), spooled());
        // --compress where the route refuses it would be refused before sealing; here it is allowed
        assertTrue(world.client("city-sender")
                .get("api/v1/routes/" + ROUTE + "/terms")
                .object()
                .get("compression")
                .equals(Boolean.TRUE));
    }

    @Test
    @Order(6)
    void theGatewaysRefusalsComeOutWithTheirReasonAndNothingIsStored() throws Exception {
        Path csv = smallCsv("stranger.csv", 100);
        Path env = dir.resolve("stranger.csv.cms");
        try (InputStream in = Files.newInputStream(csv);
                OutputStream o = Files.newOutputStream(env)) {
            Sealer.seal(
                    in,
                    o,
                    Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(stranger.certificate()),
                    ContentCipher.AES_256_GCM);
        }
        CliRun wrong = send("--encrypted", env.toString(), "--records", "100");
        assertEquals(1, wrong.code(), "a payload the route refuses is a refusal by policy: " + wrong);
        assertTrue(wrong.err().contains("PAYLOAD_WRONG_RECIPIENT"), wrong.toString());

        CliRun over = send("--encrypted", env.toString(), "--records", Integer.toString(ROWS + 1));
        assertEquals(1, over.code(), over.toString());
        assertTrue(over.err().contains("RECORDS_OVER_APPROVAL"), over.toString());
        assertJapaneseFirst("RECORDS_OVER_APPROVAL", over);

        CliRun cbc = send("--file", csv.toString(), "--cbc");
        assertEquals(1, cbc.code(), cbc.toString());
        assertTrue(cbc.err().contains("PAYLOAD_WEAK_CIPHER"), cbc.toString());
        assertJapaneseFirst("PAYLOAD_WEAK_CIPHER", cbc);
        assertEquals(List.of(), spooled());
    }

    static GatewayClient contractor() {
        return world.client("contractor");
    }

    /** The envelope of a waiting transfer as the gateway serves it. */
    static byte[] envelope(String transferId) throws Exception {
        GatewayClient c = contractor();
        HttpResponse<byte[]> res = c.exchange(
                HttpRequest.newBuilder(c.resolve("api/v1/routes/" + ROUTE + "/transfers/" + transferId + "/payload"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, res.statusCode());
        return res.body();
    }

    static String sendForId(Path csv) {
        CliRun sent = send("--file", csv.toString(), "--json");
        assertEquals(0, sent.code(), sent.toString());
        return Receipt.parse(sent.out()).get("transferId");
    }

    static long regularFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    @Order(7)
    void aPartialEnvelopeFromAnEarlierRunIsOpenedFirstThenTheRestAsItArrives() throws Exception {
        Path csv = smallCsv("partial.csv", 20_000);
        String id = sendForId(csv);
        byte[] whole = envelope(id);
        Path out = Files.createDirectories(dir.resolve("in-partial"));
        Path partial = Files.createDirectories(out.resolve(".sekisho-partial")).resolve(id + ".cms");

        // A prefix that is not the gateway's: kept and read, so the hash of the whole differs.
        byte[] wrong = java.util.Arrays.copyOf(whole, whole.length / 2);
        wrong[wrong.length / 2] ^= 1;
        Files.write(partial, wrong);
        CliRun refused = receive(out, enc.keyFile().toString());
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("DOWNLOAD_HASH_MISMATCH"), refused.toString());
        assertEquals(0, regularFiles(out), "nothing written");
        assertEquals(0, regularFiles(out.resolve(".sekisho-partial")), "neither envelope nor opened file kept");
        assertEquals(1, spooled().size(), "not acknowledged");

        // The right prefix: the rest comes with a range request, and the whole opens.
        Files.write(partial, java.util.Arrays.copyOf(whole, whole.length / 2));
        CliRun got = receive(out, enc.keyFile().toString());
        assertEquals(0, got.code(), got.toString());
        assertSameBytes(csv, out.resolve("partial.csv"));
        assertEquals(0, regularFiles(out.resolve(".sekisho-partial")));
        assertEquals(List.of(), spooled());
    }

    @Test
    @Order(8)
    void anEnvelopeThatOpensButIsNotTheOneListedIsDiscardedAndNotAcknowledged() throws Exception {
        Path csv = smallCsv("swapped.csv", 3000);
        String id = sendForId(csv);
        Path stored = spooled().get(0);
        byte[] original = Files.readAllBytes(stored);
        assertEquals(original.length, envelope(id).length, "the spool holds the envelope as served");
        // Another valid envelope of the same file for the same key and of the same length: it opens,
        // but its hash is not the listed one. The DER ECDSA signature is 70-72 bytes as a rule, but
        // about one send in 128 drew a rarer length that 100 reseals missed (CI, stop 27): keep
        // resealing until the length matches, bounded by time rather than by a count.
        var sender = Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        byte[] other = null;
        while (other == null && System.nanoTime() < deadline) {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            try (InputStream in = Files.newInputStream(csv)) {
                Sealer.seal(
                        in,
                        o,
                        sender,
                        List.of(enc.certificate()),
                        ContentCipher.AES_256_GCM,
                        jp.sekisho.envelope.Compression.DEFAULT_LEVEL); // as send sealed the CSV
            }
            other = o.size() == original.length ? o.toByteArray() : null;
        }
        assertNotNull(other, "a resealed envelope of the same length");
        Files.write(stored, other);
        Path out = Files.createDirectories(dir.resolve("in-swapped"));
        CliRun refused = receive(out, enc.keyFile().toString());
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("DOWNLOAD_HASH_MISMATCH")
                        && refused.err().contains("not acknowledged"),
                refused.toString());
        assertEquals(0, regularFiles(out), "the opened file is not placed");
        assertEquals(0, regularFiles(out.resolve(".sekisho-partial")), "nor kept beside the envelope");
        assertEquals(1, spooled().size(), "not acknowledged");

        Files.write(stored, original);
        ok(receive(out, enc.keyFile().toString()));
        assertSameBytes(csv, out.resolve("swapped.csv"));
        assertEquals(List.of(), spooled());
    }

    @Test
    @Order(9)
    void aFailedDownloadStopsTheOpenThreadAndLeavesNoFile() throws Exception {
        Path partial = Files.createDirectories(dir.resolve("in-missing")).resolve("missing.cms");
        ReceivePipeline pipeline = new ReceivePipeline(
                new Downloader(
                        contractor(),
                        ROUTE,
                        new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1, Backoff.REAL),
                        Progress.none()),
                source -> jp.sekisho.envelope.Opener.open(
                        source,
                        partial.resolveSibling("missing.opened"),
                        enc.privateKey(),
                        enc.certificate(),
                        jp.sekisho.envelope.TrustAnchors.fromPem(pki.caFile())));
        jp.sekisho.cli.CliException e = org.junit.jupiter.api.Assertions.assertThrows(
                jp.sekisho.cli.CliException.class, () -> pipeline.run("no-such-transfer", 100_000, partial));
        assertEquals(1, e.exitCode(), e.getMessage());
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.isAlive() && t.getName().startsWith("sekisho-open-")),
                "no open thread left running");
        assertEquals(0, regularFiles(partial.getParent()), "no empty partial, no opened file");
    }

    @Test
    @Order(11)
    void aFileNameBreakingTheRuleIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path csv = smallCsv("renamed.csv", 100);
        ok(send("--file", csv.toString()));
        // the gateway refuses such names at upload; a row from before that rule (or altered) can still hold one
        String bad = "..\u202Etxt.exe";
        try (java.sql.Connection c = pg.superuser();
                java.sql.PreparedStatement ps =
                        c.prepareStatement("UPDATE transfer SET filename = ? WHERE filename LIKE 'renamed%'")) {
            ps.setString(1, bad);
            assertEquals(1, ps.executeUpdate());
        }
        Path out = Files.createDirectories(dir.resolve("in-bad-name"));
        CliRun refused = receive(out, enc.keyFile().toString());
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("FILENAME_INVALID")
                        && refused.err().contains("受信しません")
                        && refused.err().contains("not acknowledged")
                        && refused.err().contains("..\\u202etxt.exe")
                        && !refused.err().contains("\u202e"),
                refused.toString());
        assertEquals(0, regularFiles(out), "nothing written");
        try (Stream<Path> s = Files.list(out.resolve(".sekisho-partial"))) {
            assertEquals(0, s.count(), "nothing downloaded");
        }
        assertEquals(1, spooled().size(), "not acknowledged: the gateway keeps it");

        try (java.sql.Connection c = pg.superuser();
                java.sql.PreparedStatement ps =
                        c.prepareStatement("UPDATE transfer SET filename = ? WHERE filename = ?")) {
            ps.setString(1, "renamed.csv.cms");
            ps.setString(2, bad);
            assertEquals(1, ps.executeUpdate());
        }
        ok(receive(out, enc.keyFile().toString()));
        assertSameBytes(csv, out.resolve("renamed.csv"));
    }

    /** --timings names each step of a 1,000-row hand-off and a total no smaller than their sum (issue 18). */
    @Test
    @Order(10)
    void timingsSayWhereASendsAndAReceivesTimeWent() throws Exception {
        Path csv = smallCsv("timed.csv", 1000);
        CliRun sent = send("--file", csv.toString(), "--timings");
        assertEquals(0, sent.code(), sent.toString());
        assertSteps(
                sent.err(),
                "コマンド行 / command line (picocli)",
                "鍵 / identity and keys",
                "条件 / terms (TLS handshake, GET)",
                "封印と送信 / seal and upload",
                "受領証 / receipt");
        CliRun plain = send("--file", smallCsv("untimed.csv", 10).toString());
        assertEquals(0, plain.code(), plain.toString());
        assertFalse(plain.err().contains("timings"), "nothing without --timings: " + plain);

        Path out = Files.createDirectories(dir.resolve("timed-in"));
        CliRun got = receive(out, enc.keyFile().toString(), "--timings");
        assertEquals(0, got.code(), got.toString());
        assertSteps(
                got.err(),
                "コマンド行 / command line (picocli)",
                "鍵 / keys and trust anchors",
                "一覧 / inbox (TLS handshake, GET)",
                "受信 / download, open, write, acknowledge");
        assertSameBytes(csv, out.resolve("timed.csv"));
    }

    private static void assertSteps(String err, String... steps) {
        assertTrue(err.contains("所要時間 / timings:"), err);
        long sum = 0;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?m)^  (.+?) +(\\d+) ms$").matcher(err);
        List<String> seen = new ArrayList<>();
        long total = -1;
        while (m.find()) {
            if (m.group(1).startsWith("合計")) {
                total = Long.parseLong(m.group(2));
            } else {
                seen.add(m.group(1).strip());
                sum += Long.parseLong(m.group(2));
            }
        }
        // in-process there is no launcher, so no start-up step (TimingsTest covers reading its time)
        assertEquals(List.of(steps), seen, err);
        assertEquals(sum, total, "the total is the sum of the steps: " + err);
    }

    @Test
    @Order(12) // last: the tampered transfer stays in the inbox
    void aTamperedEnvelopeTheGatewayStoredIsRefusedWithTheReasonAndKept() throws Exception {
        Path csv = smallCsv("tampered.csv", 2000);
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(csv)) {
            Sealer.seal(
                    in,
                    o,
                    Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(enc.certificate()),
                    ContentCipher.AES_256_GCM);
        }
        byte[] bytes = o.toByteArray();
        bytes[bytes.length / 2] ^= 1; // inside the encrypted content: only the GCM tag can tell
        Path env = dir.resolve("tampered.csv.cms");
        Files.write(env, bytes);
        ok(send("--encrypted", env.toString(), "--records", "2000"));
        Path out = Files.createDirectories(dir.resolve("in-tampered"));
        CliRun refused = receive(out, enc.keyFile().toString());
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("TAG_MISMATCH") && refused.err().contains("not acknowledged"),
                refused.toString());
        assertEquals(0, regularFiles(out), "nothing written");
        try (Stream<Path> s = Files.list(out.resolve(".sekisho-partial"))) {
            List<Path> kept = s.toList();
            assertEquals(1, kept.size(), "only the envelope is kept: " + kept);
            assertSameBytes(env, kept.get(0));
        }
        assertEquals(1, spooled().size(), "not acknowledged");
    }

    /** A refusal a person reads: its code, then Japanese, then English, then what to do next in both. */
    private static void assertJapaneseFirst(String code, CliRun r) {
        assertTrue(
                java.util.regex.Pattern.compile(code + ": [\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}]")
                        .matcher(r.err())
                        .find(),
                "Japanese first after " + code + ": " + r);
        assertTrue(r.err().contains("次に: ") && r.err().contains("next: "), "says what to do next: " + r);
    }
}
