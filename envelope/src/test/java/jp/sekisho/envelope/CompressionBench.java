package jp.sekisho.envelope;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.testing.TestPki;

/**
 * Envelope size and seal time by zlib level on one file (the whole path: sign, compress, encrypt
 * AES-256-GCM), best of N rounds, and the open time of the uncompressed and the level-1 envelope.
 * Not a test: run by bench/compression-levels.sh. Args: file workDir rounds
 */
public final class CompressionBench {

    private CompressionBench() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]));
        int rounds = Integer.parseInt(args[2]);
        TestPki pki = TestPki.create(Files.createDirectories(work.resolve("pki-" + System.nanoTime())));
        Credential sender = pki.client("city-sender");
        Credential contractor = pki.recipient("contractor");
        Identity signer = Identities.load(sender.certificateFile(), null);
        Path env = work.resolve("bench.cms");
        Path out = work.resolve("bench.out");
        System.out.printf("file: %s, %.1f MB (%d bytes)%n", file, Files.size(file) / 1e6, Files.size(file));
        System.out.printf("%-8s %12s %8s %10s %10s%n", "level", "envelope MB", "ratio", "seal s", "open s");
        for (int level : new int[] {Compression.NONE, 1, 3, 6, 9}) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                try (InputStream in = Files.newInputStream(file);
                        OutputStream o = Files.newOutputStream(env)) {
                    Sealer.seal(in, o, signer, List.of(contractor.certificate()), ContentCipher.AES_256_GCM, level);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            String open = "";
            if (level <= 1) {
                double bestOpen = Double.MAX_VALUE;
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    Opener.open(
                            env,
                            out,
                            contractor.privateKey(),
                            contractor.certificate(),
                            TrustAnchors.of(List.of(pki.caCertificate())));
                    bestOpen = Math.min(bestOpen, (System.nanoTime() - t0) / 1e9);
                }
                open = String.format("%.2f", bestOpen);
            }
            long size = Files.size(env);
            System.out.printf(
                    "%-8s %12.1f %8.3f %10.2f %10s%n",
                    level == Compression.NONE ? "none" : Integer.toString(level),
                    size / 1e6,
                    (double) size / Files.size(file),
                    best,
                    open);
        }
        Files.deleteIfExists(env);
        Files.deleteIfExists(out);
    }
}
