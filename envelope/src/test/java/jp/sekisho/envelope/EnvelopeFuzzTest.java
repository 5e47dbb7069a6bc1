package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.Fuzz;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the envelope checks (issue 12): random bytes, and valid envelopes with bits flipped,
 * cut short, length octets inflated and elements inserted or removed, go through the inspector
 * (whole and header only), the gateway's streaming scan and {@code open}. Each may only accept or refuse (a {@link
 * PayloadDecision}, an {@link EnvelopeException}): no other exception, no hang, bounded
 * allocation; what {@code open} accepts decrypts to the original plaintext; and the gateway and
 * {@code open} agree on what is outside the profile.
 *
 * <p>Random inputs come from {@link Fuzz}: {@value #TRIES} tries per property in every build;
 * {@code -Dsekisho.fuzz.tries=20000} for a longer run, {@code -Dsekisho.fuzz.seed} to repeat one
 * (docs/security-fuzzing.md).
 */
class EnvelopeFuzzTest {

    /** Tries per property in every build (short); {@code sekisho.fuzz.tries} overrides it. */
    static final int TRIES = 100;

    /** No check of an envelope of a few KB may take longer (a hang shows up as this timeout). */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Bytes the inspector and the scan may allocate for an input of a few KB: buffers, not the claimed lengths. */
    private static final long ALLOCATION_LIMIT = 32L * 1024 * 1024;

    static Path dir;
    static TestPki pki;
    static Credential contractor;
    static List<X509Certificate> registered;
    static byte[] plaintext;
    /** Valid envelopes: Sealer GCM and CBC, openssl GCM in DER and streamed. */
    static final List<byte[]> VALID = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("sekisho-fuzz");
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential sender = pki.client("city-sender");
        contractor = pki.recipient("contractor");
        registered = List.of(contractor.certificate());
        Path csv = Fixtures.residentsCsv(dir, 30);
        plaintext = Files.readAllBytes(csv);
        for (ContentCipher c : ContentCipher.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = Files.newInputStream(csv)) {
                Sealer.seal(in, out, Identities.load(sender.certificateFile(), null), registered, c);
            }
            VALID.add(out.toByteArray());
        }
        Path signed = dir.resolve("signed.der");
        assertTrue(Fixtures.openssl(
                        "cms",
                        "-sign",
                        "-binary",
                        "-nodetach",
                        "-outform",
                        "DER",
                        "-in",
                        csv.toString(),
                        "-out",
                        signed.toString(),
                        "-signer",
                        sender.certificateFile().toString(),
                        "-inkey",
                        sender.keyFile().toString(),
                        "-md",
                        "sha256")
                .ok());
        for (List<String> extra : List.of(List.<String>of(), List.of("-stream"))) {
            Path env = dir.resolve("openssl" + extra.size() + ".cms");
            List<String> args = new ArrayList<>(List.of(
                    "cms",
                    "-encrypt",
                    "-binary",
                    "-aes-256-gcm",
                    "-outform",
                    "DER",
                    "-in",
                    signed.toString(),
                    "-out",
                    env.toString(),
                    "-recip",
                    contractor.certificateFile().toString(),
                    "-keyopt",
                    "rsa_padding_mode:oaep",
                    "-keyopt",
                    "rsa_oaep_md:sha256",
                    "-keyopt",
                    "rsa_mgf1_md:sha256"));
            args.addAll(extra);
            assertTrue(Fixtures.openssl(args.toArray(String[]::new)).ok());
            VALID.add(Files.readAllBytes(env));
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ properties

    @Test
    void randomBytesAreOnlyEverRefused() {
        Fuzz.run("envelope noise", TRIES, EnvelopeFuzzTest::noise, bytes -> {
            Outcome o = everything(bytes);
            assertTrue(o.gateway instanceof PayloadDecision.Refused, o.toString());
        });
    }

    @Test
    void mutatedEnvelopesAreAcceptedIntactOrRefused() {
        Map<String, Integer> gateway = new TreeMap<>();
        Map<String, Integer> open = new TreeMap<>();
        Fuzz.run("envelope mutations", TRIES, EnvelopeFuzzTest::mutated, m -> {
            Outcome o = everything(m.bytes());
            gateway.merge(
                    o.gateway instanceof PayloadDecision.Refused r ? r.reason().name() : "ACCEPTED", 1, Integer::sum);
            open.merge(o.opened ? "OPENED" : o.openRefusal.name(), 1, Integer::sum);
        });
        // the spread of verdicts (in the surefire output file) shows that the mutations reach every check
        System.out.println("verdicts: gateway " + gateway + "; open " + open);
    }

    /** Each of the valid envelopes (all four of them, each once). */
    @Test
    void theValidEnvelopesAreAcceptedAndOpen() {
        for (byte[] envelope : VALID) {
            Outcome o = everything(envelope);
            assertTrue(o.gateway.accepted(), o.toString());
            assertTrue(o.opened, o.toString());
        }
    }

    // ------------------------------------------------------------------ what holds for any input

    /** What the gateway and {@code open} made of one input. */
    record Outcome(PayloadDecision gateway, boolean opened, EnvelopeException.Reason openRefusal) {}

    /** Runs the three checks on {@code bytes} and asserts what must hold for any input. */
    static Outcome everything(byte[] bytes) {
        return assertTimeoutPreemptively(TIMEOUT, () -> {
            long before = allocated();
            Inspection inspected = EnvelopeInspector.inspect(new ByteArrayInputStream(bytes));
            PayloadDecision gateway = EnvelopeInspector.check(inspected, registered, true);
            Optional<Inspection> scanned = scan(bytes);
            // the early look at an upload's first bytes: it may wait for more, or decide
            EnvelopeInspector.inspectHeader(bytes, Math.min(bytes.length, 8192))
                    .ifPresent(h -> EnvelopeInspector.check(h, registered, true));
            long allocation = allocated() - before;
            assertTrue(allocation < ALLOCATION_LIMIT, "allocated " + allocation + " bytes for " + bytes.length);
            scanned.ifPresent(s -> assertEquals(inspected, s, "the scan gives the inspector's answer or none"));

            Path file = Files.createTempFile(dir, "fuzz", ".cms");
            Path outDir = Files.createTempDirectory(dir, "out");
            Path out = outDir.resolve("plain");
            try {
                Files.write(file, bytes);
                EnvelopeException.Reason refusal = open(() ->
                        Opener.open(file, out, contractor.privateKey(), null, TrustAnchors.fromPem(pki.caFile())));
                if (refusal == null) {
                    assertArrayEquals(plaintext, Files.readAllBytes(out), "opened, so it must be the original");
                    Files.delete(out);
                }
                EnvelopeException.Reason streamed = open(() -> Opener.open(
                        () -> new ByteArrayInputStream(bytes),
                        out,
                        contractor.privateKey(),
                        contractor.certificate(),
                        TrustAnchors.fromPem(pki.caFile())));
                if (streamed == null) {
                    assertArrayEquals(plaintext, Files.readAllBytes(out), "opened, so it must be the original");
                    Files.delete(out);
                }
                try (Stream<Path> left = Files.list(outDir)) {
                    assertEquals(List.of(), left.toList(), "a refused envelope leaves no file");
                }
                boolean malformed =
                        gateway instanceof PayloadDecision.Refused r && r.reason() == PayloadRefusal.PAYLOAD_MALFORMED;
                assertEquals(
                        malformed,
                        refusal == EnvelopeException.Reason.PAYLOAD_MALFORMED,
                        "the gateway and open apply one profile: " + gateway + " / " + refusal);
                if ((refusal == null || streamed == null) && gateway instanceof PayloadDecision.Refused r) {
                    // open does not know the route: only the recipient check may refuse what it opens
                    assertEquals(PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, r.reason(), "open accepted " + r);
                }
                return new Outcome(gateway, refusal == null, refusal);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(outDir);
            }
        });
    }

    /** null when it opened; the reason when it was refused; anything else thrown is a failure. */
    private static EnvelopeException.Reason open(Runnable open) {
        try {
            open.run();
            return null;
        } catch (EnvelopeException e) {
            return e.reason();
        }
    }

    private static Optional<Inspection> scan(byte[] bytes) {
        EnvelopeScanner s = new EnvelopeScanner();
        int chunk = 1 + (bytes.length % 977);
        for (int i = 0; i < bytes.length; i += chunk) {
            s.update(ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i)));
        }
        return s.result();
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    // ------------------------------------------------------------------ generators

    /** Random bytes, half of them behind the start of an AuthEnvelopedData or EnvelopedData ContentInfo. */
    static byte[] noise(Random r) {
        byte[] raw = Fuzz.bytes(r, 4096);
        return r.nextBoolean() ? raw : concat(java.util.Arrays.copyOf(Fuzz.pick(r, VALID), 40), raw);
    }

    /** A valid envelope with one to four mutations; most fall in the header and trailer, where parsing happens. */
    static Mutated mutated(Random r) {
        int i = r.nextInt(VALID.size());
        List<Mutation> ms = new ArrayList<>();
        for (int n = Fuzz.between(r, 1, 4); n > 0; n--) {
            ms.add(mutation(r));
        }
        byte[] b = VALID.get(i);
        for (Mutation m : ms) {
            b = m.apply(b);
        }
        return new Mutated(i, ms, b);
    }

    record Mutated(int envelope, List<Mutation> mutations, byte[] bytes) {
        @Override
        public String toString() {
            return "envelope " + envelope + " " + mutations + " (" + bytes.length + " bytes)";
        }
    }

    /** One change to an envelope; {@code at} picks a position or an element, modulo what there is. */
    sealed interface Mutation {
        byte[] apply(byte[] b);

        record FlipBit(int at, int bit, boolean inHeader) implements Mutation {
            @Override
            public byte[] apply(byte[] b) {
                if (b.length == 0) {
                    return b;
                }
                byte[] c = b.clone();
                int p = position(b, at, inHeader);
                c[p] ^= (byte) (1 << bit);
                return c;
            }
        }

        record Truncate(int at) implements Mutation {
            @Override
            public byte[] apply(byte[] b) {
                return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : Math.floorMod(at, b.length));
            }
        }

        /** Replaces an element's length octets by a larger definite length (up to 2^31-1) or indefinite. */
        record InflateLength(int element, int length) implements Mutation {
            @Override
            public byte[] apply(byte[] b) {
                List<long[]> e = elements(b);
                if (e.isEmpty()) {
                    return b;
                }
                long[] el = e.get(Math.floorMod(element, e.size()));
                int start = (int) el[0];
                int lengthStart = start + tagBytes(b, start);
                int lengthEnd = start + (int) el[1];
                byte[] newLength = length < 0
                        ? new byte[] {(byte) 0x80}
                        : new byte[] {
                            (byte) 0x84,
                            (byte) (length >>> 24),
                            (byte) (length >>> 16),
                            (byte) (length >>> 8),
                            (byte) length
                        };
                return splice(b, lengthStart, lengthEnd, newLength);
            }
        }

        /** Inserts a small element before an existing one. */
        record InsertElement(int element, int tag, byte[] content) implements Mutation {
            @Override
            public byte[] apply(byte[] b) {
                List<long[]> e = elements(b);
                int at = e.isEmpty() ? 0 : (int) e.get(Math.floorMod(element, e.size()))[0];
                return splice(b, at, at, Hostile.tlv(tag & 0xff, content));
            }

            @Override
            public String toString() {
                return "InsertElement[element=" + element + ", tag=" + (tag & 0xff) + ", " + content.length + " bytes]";
            }
        }

        /** One of {@link Fuzz#mutate}'s blind changes (also inserts and removes byte ranges), from its seed. */
        record Blind(long seed) implements Mutation {
            @Override
            public byte[] apply(byte[] b) {
                return Fuzz.mutate(new Random(seed), b);
            }
        }

        /** Removes an element (identifier, length and content). */
        record RemoveElement(int element) implements Mutation {
            @Override
            public byte[] apply(byte[] b) {
                List<long[]> e = elements(b);
                if (e.isEmpty()) {
                    return b;
                }
                long[] el = e.get(Math.floorMod(element, e.size()));
                if (el[2] < 0) {
                    return b; // an indefinite length: its end is not known from its header
                }
                int start = (int) el[0];
                return splice(b, start, (int) Math.min(b.length, start + el[1] + el[2]), new byte[0]);
            }
        }
    }

    static Mutation mutation(Random r) {
        int any = r.nextInt() & Integer.MAX_VALUE;
        return switch (r.nextInt(6)) {
            case 0 -> new Mutation.FlipBit(any, r.nextInt(8), Fuzz.pick(r, true, true, false));
            case 1 -> new Mutation.Truncate(any);
            case 2 -> new Mutation.InflateLength(any, inflatedLength(r));
            case 3 ->
                new Mutation.InsertElement(
                        any,
                        Fuzz.pick(r, 0x04, 0x30, 0x31, 0xa0, 0xa1, 0xa2, 0x02, 0x06, 0x05, 0x00),
                        Fuzz.bytes(r, 64));
            case 4 -> new Mutation.RemoveElement(any);
            default -> new Mutation.Blind(r.nextLong());
        };
    }

    /** -1 (indefinite) a third of the time, else a definite length up to 2^31-1, often an edge value. */
    static int inflatedLength(Random r) {
        if (r.nextInt(3) == 0) {
            return -1;
        }
        return r.nextBoolean()
                ? Fuzz.pick(r, 0, 1, 127, 128, 255, 256, 65_535, 65_536, 16_777_216, Integer.MAX_VALUE)
                : r.nextInt() & Integer.MAX_VALUE;
    }

    // ------------------------------------------------------------------ helpers

    /** Each element's [start, header length, length (-1 indefinite)], as far as the bytes are well formed. */
    static List<long[]> elements(byte[] b) {
        List<long[]> out = new ArrayList<>();
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
                if (out.size() < 10_000) {
                    out.add(new long[] {offset, headerLength, length});
                }
            }

            @Override
            public void end(int depth, long position) {}
        });
        w.update(ByteBuffer.wrap(b));
        return out;
    }

    /** A position in the first 2 KB or the last 64 bytes (header and trailer) when {@code inHeader}, else anywhere. */
    static int position(byte[] b, int at, boolean inHeader) {
        if (!inHeader || b.length < 2200) {
            return Math.floorMod(at, b.length);
        }
        int p = Math.floorMod(at, 2048 + 64);
        return p < 2048 ? p : b.length - 64 + (p - 2048);
    }

    static int tagBytes(byte[] b, int start) {
        if ((b[start] & 0x1f) != 0x1f) {
            return 1;
        }
        int i = start + 1;
        while (i < b.length && (b[i] & 0x80) != 0) {
            i++;
        }
        return i - start + 1;
    }

    static byte[] splice(byte[] b, int from, int to, byte[] with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + with.length);
        out.write(b, 0, from);
        out.writeBytes(with);
        out.write(b, to, b.length - to);
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
