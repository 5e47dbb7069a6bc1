package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.certs.Identities;
import jp.sekisho.envelope.SealResult;
import jp.sekisho.envelope.Sealer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's side of the transfer protocol over real mutual TLS against {@link FakeTransferGateway}
 * (the protocol document's answers, no envelope inspection): send → receive byte-identical, resume
 * of uploads and downloads, refusals before anything is sent, no acknowledgment of what cannot be
 * opened, receipt signatures, and OpenSSL on both ends.
 */
class TransferWithFakeGatewayTest {

    @TempDir
    static Path shared;
    static TestPki pki;
    static Credential enc;
    static Credential other;
    static Path sender;
    static Path contractor;
    static Path residents;
    static final int ROWS = 305_115;

    @TempDir
    Path dir;
    FakeTransferGateway gw;

    @BeforeAll
    static void pki() throws IOException {
        pki = TestPki.create(shared.resolve("certs"));
        sender = pki.client("city-sender").pkcs12File();
        contractor = pki.client("contractor").pkcs12File();
        enc = pki.recipient("contractor-enc");
        other = pki.recipient("someone-else");
        residents = shared.resolve("residents.csv");
        try (BufferedWriter w = Files.newBufferedWriter(residents, StandardCharsets.UTF_8)) {
            new ResidentGenerator(158).write(w, ROWS);
        }
    }

    @BeforeEach
    void gateway() throws Exception {
        gw = new FakeTransferGateway(dir.resolve("gw"), pki.gatewayFile("p12"), pki.caFile(), "kurume-benefit",
                ResidentGenerator.COLUMNS, ROWS, List.of(enc.certificateFile()));
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    CliRun send(String... more) {
        List<String> a = new ArrayList<>(List.of("send", "--gateway", gw.url(), "--route", "kurume-benefit",
                "--identity", sender.toString()));
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    CliRun receive(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("receive", "--gateway", gw.url(), "--route", "kurume-benefit",
                "--identity", contractor.toString(), "--out", out.toString(), "--once"));
        if (!List.of(more).contains("--trust")) {
            a.addAll(List.of("--trust", pki.caFile().toString()));
        }
        if (!List.of(more).contains("--key")) {
            a.addAll(List.of("--key", enc.keyFile().toString(), "--cert", enc.certificateFile().toString()));
        }
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    static void assertSameBytes(Path expected, Path actual) throws IOException {
        assertEquals(Files.size(expected), Files.size(actual), actual.toString());
        assertEquals(-1L, Files.mismatch(expected, actual), "first differing byte");
    }

    static long files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void the305115RowCsvArrivesByteIdenticalAndTheGatewayKeepsNothing() throws Exception {
        long t0 = System.nanoTime();
        CliRun sent = send("--file", residents.toString(), "--gateway-key", gw.publicKeyPem().toString());
        long t1 = System.nanoTime();
        assertEquals(0, sent.code(), sent.toString());
        assertTrue(sent.out().contains("records:   305115") && sent.out().contains("approval:  2総政第158号")
                && sent.out().contains("file:      residents.csv.cms")
                && sent.out().contains("signature: valid"), sent.toString());
        try (Stream<Path> s = Files.list(residents.getParent())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".cms.part")), "the temp envelope is deleted");
        }
        Path out = Files.createDirectories(dir.resolve("in"));
        CliRun got = receive(out);
        long t2 = System.nanoTime();
        assertEquals(0, got.code(), got.toString());
        assertTrue(got.out().contains("305115 records") && got.out().contains("signed by CN=city-sender")
                && got.out().contains("acknowledged"), got.toString());
        assertSameBytes(residents, out.resolve("residents.csv"));
        assertEquals(1, gw.acks.get());
        assertEquals(0, files(gw.spool), "no file of the transfer remains in the gateway's spool");
        assertEquals(0, files(out.resolve(".sekisho-partial")), "no partial or temporary file remains");
        System.out.printf("305,115 rows (%d bytes): send %d ms, receive %d ms%n", Files.size(residents),
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);

        CliRun again = receive(out);
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("nothing waiting"), again.toString());
    }

    @Test
    void aColumnOutsideTheApprovalIsRefusedBeforeAnythingIsEncryptedOrSent() throws Exception {
        Path csv = dir.resolve("salaries.csv");
        Files.writeString(csv, "name,salary\nDUMMY A,1\n");
        CliRun r = send("--file", csv.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("DATA_ITEM_NOT_APPROVED: column 'salary'"), r.toString());
        assertTrue(gw.requests.stream().noneMatch(q -> q.startsWith("POST")), gw.requests.toString());
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "nothing was sealed");
        }

        Path jp = dir.resolve("給付.csv");
        Files.writeString(jp, "氏名,住所\nDUMMY 山田 太郎,\"福岡県\n久留米市\"\nDUMMY 田中 花子,福岡県\n");
        Path map = dir.resolve("items.map");
        Files.writeString(map, "氏名=name\n住所=address\n");
        CliRun mapped = send("--file", jp.toString(), "--items-map", map.toString(), "--json");
        assertEquals(0, mapped.code(), mapped.toString());
        assertTrue(mapped.out().contains("\"records\":2"), "a quoted line break is not a record: " + mapped);

        Files.writeString(map, "氏名=name\n住所=salary\n");
        CliRun refused = send("--file", jp.toString(), "--items-map", map.toString());
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("DATA_ITEM_NOT_APPROVED: column '住所' (mapped to 'salary')"), refused.toString());
    }

    @Test
    void moreRecordsThanApprovedAreRefusedLocally() throws Exception {
        gw.maxRecords = 2;
        Path csv = dir.resolve("three.csv");
        Files.writeString(csv, "name\nA\nB\nC\n");
        CliRun r = send("--file", csv.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("RECORDS_OVER_APPROVAL: 3 records"), r.toString());
        Path bin = dir.resolve("data.bin");
        Files.write(bin, new byte[100]);
        CliRun declared = send("--file", bin.toString(), "--records", "3");
        assertEquals(1, declared.code(), declared.toString());
        assertTrue(declared.err().contains("RECORDS_OVER_APPROVAL"), declared.toString());
        CliRun missing = send("--file", bin.toString());
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(gw.requests.stream().noneMatch(q -> q.startsWith("POST")), gw.requests.toString());
    }

    /** A small CSV and its envelope sealed for the route, as send would make it. */
    Path smallCsv(int rows) throws IOException {
        Path csv = dir.resolve("small.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(7).write(w, rows);
        }
        return csv;
    }

    @Test
    void anUploadCutOffMidChunkResumesFromTheGatewaysOffsetAndArrivesByteIdentical() throws Exception {
        Path csv = smallCsv(3000);
        Path env = dir.resolve("small.csv.cms");
        SealResult sealed;
        try (InputStream in = Files.newInputStream(csv); OutputStream out = Files.newOutputStream(env)) {
            sealed = Sealer.seal(in, out, Identities.load(sender, new char[0]), List.of(enc.certificate()),
                    ContentCipher.AES_256_GCM);
        }
        assertTrue(sealed.envelopeBytes() > 5 * 65536, "several chunks: " + sealed.envelopeBytes());
        GatewayClient client = new GatewayClient(URI.create(gw.url() + "/"), Identities.load(sender, new char[0]),
                List.of(pki.caCertificate()), Duration.ofSeconds(5));
        List<Duration> slept = new ArrayList<>();
        AtomicBoolean cut = new AtomicBoolean();
        TusUploader up = new TusUploader(client, "kurume-benefit", 65536, new Backoff(Duration.ofMillis(10),
                Duration.ofMillis(100), 3, slept::add), Progress.none())
                .intercept((offset, chunk) -> offset != 3 * 65536 || !cut.compareAndSet(false, true) ? chunk
                        : new java.io.FilterInputStream(chunk) {
                            long sent;

                            @Override
                            public int read(byte[] b, int off, int len) throws IOException {
                                if (sent >= 20_000) {
                                    throw new IOException("injected: network gone after 20000 bytes of the fourth chunk");
                                }
                                int n = super.read(b, off, (int) Math.min(len, 20_000 - sent));
                                sent += Math.max(n, 0);
                                return n;
                            }
                        });
        gw.failPatches.set(0);
        TusUploader.Result r = up.upload(env, sealed.envelopeBytes(), "small.csv.cms", sealed.envelopeSha256(), 3000);
        assertTrue(cut.get(), "the fault was injected");
        assertTrue(r.retries() >= 1 && !slept.isEmpty(), "retried after backoff: " + r.retries());
        long heads = gw.requests.stream().filter(q -> q.startsWith("HEAD")).count();
        assertTrue(heads >= 1, "asked the gateway for its offset: " + gw.requests);
        long patches = gw.requests.stream().filter(q -> q.startsWith("PATCH")).count();
        long chunks = (sealed.envelopeBytes() + 65535) / 65536;
        assertEquals(chunks + 1, patches, "only the interrupted chunk was sent again: " + gw.requests);

        Path out = Files.createDirectories(dir.resolve("in"));
        CliRun got = receive(out);
        assertEquals(0, got.code(), got.toString());
        assertSameBytes(csv, out.resolve("small.csv"));
    }

    @Test
    void sendRetries5xxWithBackoffAndReceiveResumesACutDownloadWithRange() throws Exception {
        Path csv = smallCsv(3000);
        gw.failPatches.set(2);
        CliRun sent = send("--file", csv.toString(), "--chunk-size", "64KiB", "--retries", "3");
        assertEquals(0, sent.code(), sent.toString());
        assertTrue(sent.out().contains("retries:   2"), sent.toString());

        gw.cutDownloadAfter = 100_000;
        Path out = Files.createDirectories(dir.resolve("in"));
        CliRun got = receive(out);
        assertEquals(0, got.code(), got.toString());
        assertSameBytes(csv, out.resolve("small.csv"));
        List<String> downloads = gw.requests.stream().filter(q -> q.contains("/payload")).toList();
        assertEquals(2, downloads.size(), downloads.toString());
        assertTrue(downloads.get(1).endsWith("bytes=100000-"), "resumed where the connection broke: " + downloads);

        // A file of the same name is never overwritten.
        assertEquals(0, send("--file", csv.toString()).code());
        assertEquals(0, receive(out).code());
        assertSameBytes(csv, out.resolve("small-1.csv"));
    }

    @Test
    void whatCannotBeOpenedIsNeverAcknowledged() throws Exception {
        Path csv = smallCsv(200);
        assertEquals(0, send("--file", csv.toString()).code());
        Path out = Files.createDirectories(dir.resolve("in"));

        CliRun wrongKey = receive(out, "--key", other.keyFile().toString());
        assertEquals(1, wrongKey.code(), wrongKey.toString());
        assertTrue(wrongKey.err().contains("NOT_FOR_THIS_RECIPIENT") && wrongKey.err().contains("not acknowledged"),
                wrongKey.toString());

        TestPki strangers = TestPki.create(dir.resolve("other-ca"));
        CliRun untrusted = receive(out, "--trust", strangers.caFile().toString());
        assertEquals(1, untrusted.code(), untrusted.toString());
        assertTrue(untrusted.err().contains("SIGNER_UNTRUSTED"), untrusted.toString());

        // The envelope that failed to open stays for a later run (and is not downloaded again).
        Path kept;
        try (Stream<Path> st = Files.list(out.resolve(".sekisho-partial"))) {
            kept = st.filter(p -> p.toString().endsWith(".cms")).findFirst().orElseThrow();
        }
        assertTrue(untrusted.err().contains(kept.toString()), untrusted.toString());
        assertEquals(1, gw.requests.stream().filter(q -> q.contains("/payload")).count(), gw.requests.toString());
        Files.delete(kept); // a receiver starting afresh

        // Altered in the spool: the hash no longer matches what the gateway lists.
        FakeTransferGateway.Upload u = gw.uploads.values().iterator().next();
        try (RandomAccessFile f = new RandomAccessFile(u.file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 1);
        }
        CliRun altered = receive(out);
        assertEquals(1, altered.code(), altered.toString());
        assertTrue(altered.err().contains("DOWNLOAD_HASH_MISMATCH"), altered.toString());

        // Altered with a matching hash (an attacker with the spool and the inbox): the GCM tag catches it.
        u.sha256 = FileRegion.sha256Hex(u.file);
        CliRun tampered = receive(out);
        assertEquals(1, tampered.code(), tampered.toString());
        assertTrue(tampered.err().contains("TAG_MISMATCH"), tampered.toString());

        assertEquals(0, gw.acks.get(), "nothing acknowledged");
        assertTrue(gw.requests.stream().noneMatch(q -> q.endsWith("/ack")), gw.requests.toString());
        assertEquals(0, files(out), "no file written into the output folder");
        assertTrue(Files.exists(u.file), "the gateway keeps its copy");
    }

    @Test
    void withoutOnceReceivePollsAtTheIntervalUntilStopped() throws Exception {
        Path out = Files.createDirectories(dir.resolve("in"));
        java.util.concurrent.atomic.AtomicReference<CliRun> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread poller = new Thread(() -> result.set(CliRun.of("receive", "--gateway", gw.url(), "--route", "kurume-benefit",
                "--identity", contractor.toString(), "--out", out.toString(), "--trust", pki.caFile().toString(),
                "--key", enc.keyFile().toString(), "--interval", "100ms")));
        poller.start();
        Thread.sleep(500);
        assertTrue(poller.isAlive(), "still polling an empty inbox");
        Path csv = smallCsv(50);
        assertEquals(0, send("--file", csv.toString()).code());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gw.acks.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        poller.interrupt();
        poller.join(10_000);
        assertEquals(0, result.get().code(), result.get().toString());
        assertSameBytes(csv, out.resolve("small.csv"));
        assertTrue(result.get().out().contains("acknowledged"), result.get().toString());
        assertTrue(gw.requests.stream().filter(q -> q.endsWith("/inbox")).count() >= 3, "polled: " + gw.requests);
    }

    @Test
    void aReceiptThatDoesNotVerifyWithTheGivenKeyIsRefused() throws Exception {
        Path wrong = dir.resolve("wrong.pub.pem");
        java.security.KeyPair kp = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(wrong, "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        Path csv = smallCsv(10);
        CliRun r = send("--file", csv.toString(), "--gateway-key", wrong.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("RECEIPT_SIGNATURE_INVALID"), r.toString());
    }

    static void run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }

    @Test
    void opensslOpensWhatSendUploadedAndSendAndReceiveCarryWhatOpensslSealed() throws Exception {
        Path csv = smallCsv(2000);
        assertEquals(0, send("--file", csv.toString()).code());
        FakeTransferGateway.Upload u = gw.uploads.values().iterator().next();
        Path uploaded = Files.copy(u.file, dir.resolve("uploaded.cms"));
        run(dir, "openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", uploaded.toString(), "-recip",
                enc.certificateFile().toString(), "-inkey", enc.keyFile().toString(), "-outform", "DER", "-out", "signed.der");
        run(dir, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "signed.der", "-CAfile",
                pki.caFile().toString(), "-out", "plain.csv");
        assertSameBytes(csv, dir.resolve("plain.csv"));

        Credential s = pki.client("openssl-sender");
        run(dir, "openssl", "cms", "-sign", "-binary", "-nodetach", "-in", csv.toString(), "-signer",
                s.certificateFile().toString(), "-inkey", s.keyFile().toString(), "-md", "sha256", "-outform", "DER",
                "-out", "os-signed.der");
        run(dir, "openssl", "cms", "-encrypt", "-binary", "-aes-256-gcm", "-inform", "DER", "-in", "os-signed.der",
                "-recip", enc.certificateFile().toString(), "-keyopt", "rsa_padding_mode:oaep", "-keyopt",
                "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256", "-outform", "DER", "-out", "os.csv.cms");
        CliRun sent = send("--encrypted", dir.resolve("os.csv.cms").toString(), "--records", "2000");
        assertEquals(0, sent.code(), sent.toString());
        Path out = Files.createDirectories(dir.resolve("in"));
        CliRun got = receive(out);
        assertEquals(0, got.code(), got.toString());
        assertTrue(got.out().contains("signed by CN=openssl-sender"), got.toString());
        assertSameBytes(csv, out.resolve("os.csv"));
        assertSameBytes(csv, out.resolve("small.csv"));
    }
}
