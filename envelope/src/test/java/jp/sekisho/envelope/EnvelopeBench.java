package jp.sekisho.envelope;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;

/**
 * Throughput of seal and open (GCM and CBC) on one file, in this JVM, against {@code openssl cms}
 * on the same file. Not a test: run by bench/envelope-throughput.sh.
 * Args: workDir sizeMiB rounds [openssl=true]
 */
public final class EnvelopeBench {

    private EnvelopeBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args[0]));
        long size = Long.parseLong(args[1]) << 20;
        int rounds = Integer.parseInt(args[2]);
        boolean withOpenssl = args.length < 4 || Boolean.parseBoolean(args[3]);
        Path pkiDir = work.resolve("pki");
        TestPki pki;
        Credential sender;
        Credential contractor;
        if (Files.exists(pkiDir.resolve("ca.pem"))) {
            deleteTree(pkiDir);
        }
        pki = TestPki.create(Files.createDirectories(pkiDir));
        sender = pki.client("city-sender");
        contractor = pki.recipient("contractor");
        Path plain = work.resolve("plain.bin");
        if (!Files.exists(plain) || Files.size(plain) != size) {
            Fixtures.randomFile(work, "plain.bin", size, 1);
        }
        String expected = Fixtures.sha256(plain);
        double mb = size / 1e6;
        System.out.printf("java %s, file %d MiB, %d rounds%n", System.getProperty("java.version"), size >> 20, rounds);
        Identity id = Identities.load(sender.certificateFile(), null);
        TrustAnchors trust = TrustAnchors.fromPem(pki.caFile());
        Path env = work.resolve("bench.cms");
        Path out = work.resolve("bench.out");
        for (ContentCipher cipher : ContentCipher.values()) {
            for (int r = 1; r <= rounds; r++) {
                long t0 = System.nanoTime();
                try (InputStream in = Files.newInputStream(plain);
                        OutputStream o = Files.newOutputStream(env)) {
                    Sealer.seal(in, o, id, List.of(contractor.certificate()), cipher);
                }
                long t1 = System.nanoTime();
                OpenResult res = Opener.open(env, out, contractor.privateKey(), contractor.certificate(), trust);
                long t2 = System.nanoTime();
                if (!res.plaintextSha256().equals(expected)) {
                    throw new AssertionError("digest mismatch");
                }
                System.out.printf(
                        "sekisho %-12s round %d: seal %6.0f MB/s (%5.2f s)  open %6.0f MB/s (%5.2f s)%n",
                        cipher.displayName(),
                        r,
                        mb / ((t1 - t0) / 1e9),
                        (t1 - t0) / 1e9,
                        mb / ((t2 - t1) / 1e9),
                        (t2 - t1) / 1e9);
            }
        }
        Files.deleteIfExists(out);
        if (withOpenssl) {
            for (String cipher : List.of("-aes-256-gcm", "-aes-256-cbc")) {
                opensslRound(work, plain, sender, contractor, pki, cipher, mb, expected);
            }
        }
        Files.deleteIfExists(env);
    }

    private static void opensslRound(
            Path work,
            Path plain,
            Credential sender,
            Credential contractor,
            TestPki pki,
            String cipher,
            double mb,
            String expected) {
        Path signed = work.resolve("ossl.signed.der");
        Path env = work.resolve("ossl.cms");
        Path dec = work.resolve("ossl.dec.der");
        Path out = work.resolve("ossl.out");
        long t0 = System.nanoTime();
        run(
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-stream",
                "-outform",
                "DER",
                "-in",
                plain.toString(),
                "-out",
                signed.toString(),
                "-signer",
                sender.certificateFile().toString(),
                "-inkey",
                sender.keyFile().toString(),
                "-md",
                "sha256");
        run(
                "cms",
                "-encrypt",
                "-binary",
                "-stream",
                cipher,
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
                "rsa_mgf1_md:sha256");
        long t1 = System.nanoTime();
        run(
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                env.toString(),
                "-out",
                dec.toString(),
                "-recip",
                contractor.certificateFile().toString(),
                "-inkey",
                contractor.keyFile().toString());
        run(
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                dec.toString(),
                "-out",
                out.toString(),
                "-CAfile",
                pki.caFile().toString());
        long t2 = System.nanoTime();
        if (!Fixtures.sha256(out).equals(expected)) {
            throw new AssertionError("openssl digest mismatch");
        }
        System.out.printf(
                "openssl %-12s         : sign+encrypt %6.0f MB/s (%5.2f s)  decrypt+verify %6.0f MB/s (%5.2f s)%n",
                cipher.substring(1).toUpperCase(Locale.ROOT),
                mb / ((t1 - t0) / 1e9),
                (t1 - t0) / 1e9,
                mb / ((t2 - t1) / 1e9),
                (t2 - t1) / 1e9);
        for (Path p : List.of(signed, env, dec, out)) {
            p.toFile().delete();
        }
    }

    private static void run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Procs.Result r = Procs.run(cmd, 600);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", cmd) + ": " + r.out());
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
