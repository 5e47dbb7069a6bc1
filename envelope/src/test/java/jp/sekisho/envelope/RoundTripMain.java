package jp.sekisho.envelope;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;

/**
 * Seals and opens one file in this JVM and prints one line per step: used by the constant-memory
 * test (forked with a small heap) and by bench/envelope-throughput.sh.
 * Args: plaintext envelope out senderCert recipientCert recipientKey caFile GCM|CBC [rounds]
 */
public final class RoundTripMain {

    private RoundTripMain() {}

    public static void main(String[] args) throws Exception {
        Path plain = Path.of(args[0]);
        Path envelope = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Identity sender = Identities.load(Path.of(args[3]), null);
        List<java.security.cert.X509Certificate> to = List.of(Pem.readCertificate(Path.of(args[4])));
        java.security.PrivateKey key = Pem.readPrivateKey(Path.of(args[5]), null);
        TrustAnchors trust = TrustAnchors.fromPem(Path.of(args[6]));
        ContentCipher cipher = args[7].equalsIgnoreCase("CBC") ? ContentCipher.AES_256_CBC : ContentCipher.AES_256_GCM;
        int rounds = args.length > 8 ? Integer.parseInt(args[8]) : 1;
        double mb = Files.size(plain) / 1e6;
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            SealResult sealed;
            try (InputStream in = Files.newInputStream(plain);
                    OutputStream o = Files.newOutputStream(envelope)) {
                sealed = Sealer.seal(in, o, sender, to, cipher);
            }
            long t1 = System.nanoTime();
            OpenResult opened = Opener.open(envelope, out, key, null, trust);
            long t2 = System.nanoTime();
            System.out.printf(
                    "round=%d cipher=%s bytes=%d seal_s=%.2f seal_MBps=%.0f open_s=%.2f open_MBps=%.0f "
                            + "envelope_sha256=%s plaintext_sha256=%s heap_max_MB=%d%n",
                    round,
                    cipher.displayName(),
                    sealed.plaintextBytes(),
                    (t1 - t0) / 1e9,
                    mb / ((t1 - t0) / 1e9),
                    (t2 - t1) / 1e9,
                    mb / ((t2 - t1) / 1e9),
                    sealed.envelopeSha256(),
                    opened.plaintextSha256(),
                    Runtime.getRuntime().maxMemory() >> 20);
        }
    }
}
