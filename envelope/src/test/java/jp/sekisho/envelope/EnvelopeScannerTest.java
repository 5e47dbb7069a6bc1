package jp.sekisho.envelope;

import static jp.sekisho.envelope.Fixtures.openssl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner either gives exactly what {@link EnvelopeInspector#inspect} gives for the same bytes
 * or gives nothing: checked on envelopes from the Sealer and from openssl, whole, cut short, with
 * bytes changed and with bytes added, fed in pieces of every size.
 */
class EnvelopeScannerTest {

    @TempDir
    static Path dir;
    /** name → envelope bytes, all of them valid envelopes the gateway can be sent. */
    static final Map<String, byte[]> ENVELOPES = new LinkedHashMap<>();

    static Path csv;

    @BeforeAll
    static void setUp() throws IOException {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential sender = pki.client("city-sender");
        Credential contractor = pki.recipient("contractor");
        Credential ec = pki.authority()
                .issue(new IssueRequest(
                        "contractor-ec",
                        CertKind.RECIPIENT,
                        null,
                        null,
                        List.of(),
                        List.of(),
                        30,
                        KeyAlgorithm.EC_P256,
                        null,
                        false));
        csv = Fixtures.residentsCsv(dir, 500); // ~40 KB: several BER chunks, quick to change byte by byte
        ENVELOPES.put("sealed GCM", seal(sender, ContentCipher.AES_256_GCM, contractor));
        ENVELOPES.put("sealed GCM, RSA and EC recipients", seal(sender, ContentCipher.AES_256_GCM, contractor, ec));
        ENVELOPES.put("sealed CBC", seal(sender, ContentCipher.AES_256_CBC, contractor));
        ENVELOPES.put("openssl GCM, definite lengths", opensslEncrypt(contractor, "-aes-256-gcm"));
        ENVELOPES.put("openssl CBC, definite lengths", opensslEncrypt(contractor, "-aes256"));
        ENVELOPES.put("openssl GCM, streamed", opensslEncrypt(contractor, "-aes-256-gcm", "-stream"));
        ENVELOPES.put("openssl CBC, streamed", opensslEncrypt(contractor, "-aes256", "-stream"));
    }

    private static byte[] seal(Credential sender, ContentCipher cipher, Credential... to) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        for (Credential c : to) {
            certs.add(c.certificate());
        }
        Path env = Files.createTempFile(dir, "sealed", ".cms");
        try (InputStream in = Files.newInputStream(csv);
                OutputStream out = Files.newOutputStream(env)) {
            Sealer.seal(in, out, Identities.load(sender.certificateFile(), null), certs, cipher);
        }
        return Files.readAllBytes(env);
    }

    private static byte[] opensslEncrypt(Credential to, String... options) throws IOException {
        Path env = Files.createTempFile(dir, "openssl", ".cms");
        List<String> args = new ArrayList<>(List.of(
                "cms",
                "-encrypt",
                "-binary",
                "-outform",
                "DER",
                "-in",
                csv.toString(),
                "-out",
                env.toString(),
                "-recip",
                to.certificateFile().toString()));
        args.addAll(List.of(options));
        assertTrue(openssl(args.toArray(String[]::new)).ok());
        return Files.readAllBytes(env);
    }

    /** Feeds {@code data[0, length)} in pieces of random sizes, heap and direct, with some non-zero positions. */
    private static EnvelopeScanner scan(EnvelopeScanner s, byte[] data, int from, int to, Random r) {
        int i = from;
        while (i < to) {
            int n = Math.min(to - i, r.nextInt(4) == 0 ? 1 + r.nextInt(8) : 1 + r.nextInt(70_000));
            ByteBuffer b;
            if (r.nextInt(8) == 0) {
                b = ByteBuffer.allocateDirect(n + 3).position(3);
                b.put(data, i, n).position(3);
            } else {
                b = ByteBuffer.wrap(data, i, n);
            }
            int position = b.position();
            s.update(b);
            assertEquals(position, b.position(), "update must not move the buffer");
            i += n;
        }
        return s;
    }

    private static Optional<Inspection> scanned(byte[] data, int length, Random r) {
        return scan(new EnvelopeScanner(), data, 0, length, r).result();
    }

    private static Inspection inspected(byte[] data, int length) {
        return EnvelopeInspector.inspect(new ByteArrayInputStream(data, 0, length));
    }

    @Test
    void wholeEnvelopesGiveWhatTheInspectorGives() {
        Random r = new Random(1);
        ENVELOPES.forEach((name, env) -> {
            Inspection expected = inspected(env, env.length);
            assertTrue(expected.complete() && expected.contentPresent(), name + ": " + expected);
            assertEquals(null, expected.outsideProfile(), name + " is in the accepted profile");
            for (int round = 0; round < 5; round++) {
                Optional<Inspection> got = scanned(env, env.length, r);
                assertTrue(got.isPresent(), name + " is a plain envelope the scanner must understand");
                assertEquals(expected, got.get(), name);
            }
        });
    }

    @Test
    void envelopesCutShortAreLeftToTheInspector() {
        Random r = new Random(2);
        ENVELOPES.forEach((name, env) -> {
            for (int cut : offsets(env.length, r)) {
                if (cut == env.length) {
                    continue;
                }
                assertEquals(Optional.empty(), scanned(env, cut, r), name + " cut at " + cut + " of " + env.length);
            }
        });
    }

    @Test
    void changedBytesGiveTheInspectorsAnswerOrNothing() {
        Random r = new Random(3);
        int[] agreed = new int[2];
        ENVELOPES.forEach((name, env) -> {
            for (int at : offsets(env.length, r)) {
                if (at == env.length) {
                    continue;
                }
                for (int value : new int[] {env[at] ^ 0x01, env[at] ^ 0x80, r.nextInt(256)}) {
                    byte[] changed = env.clone();
                    changed[at] = (byte) value;
                    Optional<Inspection> got = scanned(changed, changed.length, r);
                    if (got.isPresent()) {
                        assertEquals(
                                inspected(changed, changed.length),
                                got.get(),
                                name + " with byte " + at + " set to " + value);
                        agreed[0]++;
                    } else {
                        agreed[1]++;
                    }
                }
            }
        });
        // both outcomes must occur, or the test above checks less than it seems
        assertTrue(agreed[0] > 100 && agreed[1] > 100, Arrays.toString(agreed));
    }

    @Test
    void bytesAfterTheEnvelopeAreLeftToTheInspector() {
        Random r = new Random(4);
        ENVELOPES.forEach((name, env) -> {
            for (byte[] tail : new byte[][] {{0}, {0, 0}, {0x30, 0x00}, {0x04, 0x01, 0x41}}) {
                byte[] longer = Arrays.copyOf(env, env.length + tail.length);
                System.arraycopy(tail, 0, longer, env.length, tail.length);
                assertEquals(Optional.empty(), scanned(longer, longer.length, r), name + " + " + Arrays.toString(tail));
            }
        });
    }

    @Test
    void otherContentIsLeftToTheInspector() throws IOException {
        Random r = new Random(5);
        byte[] nested = nestedChunk(ENVELOPES.get("sealed GCM"));
        Inspection n = inspected(nested, nested.length);
        assertTrue(n.complete() && n.contentPresent(), n.toString());
        assertEquals(Optional.empty(), scanned(nested, nested.length, r), "ciphertext chunks within a chunk");
        byte[] plain = Files.readAllBytes(csv);
        assertEquals(Optional.empty(), scanned(plain, plain.length, r));
        byte[] noise = new byte[100_000];
        r.nextBytes(noise);
        noise[0] = 0x30;
        assertEquals(Optional.empty(), scanned(noise, noise.length, r));
        assertEquals(Optional.empty(), scanned(new byte[0], 0, r));
    }

    @Test
    void aCopyGoesOnFromWhereItWasMade() {
        Random r = new Random(6);
        ENVELOPES.forEach((name, env) -> {
            Inspection expected = inspected(env, env.length);
            for (int at : new int[] {1, 100, 2_000, env.length / 2, env.length - 5}) {
                EnvelopeScanner s = scan(new EnvelopeScanner(), env, 0, at, r);
                EnvelopeScanner copy = s.copy();
                byte[] junk = new byte[env.length - at];
                r.nextBytes(junk);
                scan(s, junk, 0, junk.length, r); // what a PATCH cut off again would have written
                assertEquals(
                        Optional.of(expected),
                        scan(copy, env, at, env.length, r).result(),
                        name + " copied at " + at);
            }
        });
    }

    /**
     * The envelope with its first ciphertext chunk wrapped in a constructed OCTET STRING: legal BER
     * that the inspector reads and the scanner leaves to it.
     */
    private static byte[] nestedChunk(byte[] env) {
        long[] chunk = {-1, 0};
        BerWalker w = new BerWalker(new BerWalker.Listener() {
            @Override
            public void start(
                    int depth,
                    int tagClass,
                    int tagNumber,
                    boolean constructed,
                    long length,
                    long offset,
                    int headerLength) {
                if (depth == 4 && tagClass == 2 && tagNumber == 0 && constructed) {
                    chunk[1] = -1; // the ciphertext [0]: its first chunk is next
                } else if (chunk[0] < 0 && chunk[1] == -1 && depth == 5 && tagNumber == 4 && !constructed) {
                    chunk[0] = offset;
                    chunk[1] = headerLength + length;
                }
            }

            @Override
            public void end(int depth, long position) {}
        });
        w.update(ByteBuffer.wrap(env));
        assertTrue(w.done() && chunk[0] > 0, "the sealed envelope's first ciphertext chunk");
        int at = (int) chunk[0];
        int end = at + (int) chunk[1];
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(env, 0, at);
        out.writeBytes(new byte[] {0x24, (byte) 0x80});
        out.write(env, at, end - at);
        out.writeBytes(new byte[] {0, 0});
        out.write(env, end, env.length - end);
        return out.toByteArray();
    }

    /** Every offset in the first 3,000 bytes (the header) and the last 300, and 300 others. */
    private static NavigableSet<Integer> offsets(int length, Random r) {
        TreeSet<Integer> at = new TreeSet<>();
        for (int i = 0; i <= Math.min(length, 3_000); i++) {
            at.add(i);
        }
        for (int i = Math.max(0, length - 300); i <= length; i++) {
            at.add(i);
        }
        for (int i = 0; i < 300; i++) {
            at.add(r.nextInt(length));
        }
        return at;
    }
}
