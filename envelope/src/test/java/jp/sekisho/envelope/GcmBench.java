package jp.sekisho.envelope;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.gcm.GCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables4kGCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables64kGCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables8kGCMMultiplier;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * In-memory GCM decryption candidates, MB/s, to justify the choice in {@link GcmStreamDecryptor}:
 * our decryptor (the JDK's GCM encryption, segment by segment), GHASH alone with
 * BouncyCastle's table multipliers, BouncyCastle's own GCM (pure-Java AES) and the JDK's GCM
 * decryption (fast, but it buffers all ciphertext). Not a test: run by bench/envelope-throughput.sh.
 * Args: [MiB=256] [rounds=3]
 */
public final class GcmBench {

    private GcmBench() {}

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        SecureRandom r = new SecureRandom();
        r.nextBytes(key);
        r.nextBytes(nonce);
        byte[] plain = new byte[mib << 20];
        r.nextBytes(plain);
        Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
        enc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        byte[] ct = enc.doFinal(plain);
        double mb = plain.length / 1e6;
        System.out.printf("java %s, %d MiB in memory, 16 KiB calls%n", System.getProperty("java.version"), mib);
        for (int round = 1; round <= rounds; round++) {
            long t = System.nanoTime();
            AlgorithmIdentifier alg = new AlgorithmIdentifier(CMSAlgorithm.AES256_GCM, new GCMParameters(nonce, 16));
            try (InputStream in = new GcmStreamDecryptor(alg, new SecretKeySpec(key, "AES"))
                    .getInputStream(new ByteArrayInputStream(ct))) {
                byte[] buf = new byte[Sealer.CHUNK];
                while (in.read(buf) >= 0) {
                    // drain
                }
            }
            report(round, "sekisho GcmStreamDecryptor (JDK GCM, segment by segment)", t, mb);

            for (GCMMultiplier m : new GCMMultiplier[] {
                new Tables4kGCMMultiplier(), new Tables8kGCMMultiplier(), new Tables64kGCMMultiplier()
            }) {
                t = System.nanoTime();
                ghash(m, key, ct);
                report(round, "GHASH only, BC " + m.getClass().getSimpleName(), t, mb);
            }

            if (round == 1 || mib <= 64) {
                t = System.nanoTime();
                GCMBlockCipher bc = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
                bc.init(false, new AEADParameters(new KeyParameter(key), 128, nonce));
                byte[] out = new byte[Sealer.CHUNK + 32];
                for (int off = 0; off < ct.length; off += Sealer.CHUNK) {
                    bc.processBytes(ct, off, Math.min(Sealer.CHUNK, ct.length - off), out, 0);
                }
                bc.doFinal(out, 0);
                report(round, "BouncyCastle GCMBlockCipher (pure-Java AES)", t, mb);
            }

            t = System.nanoTime();
            Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
            dec.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            byte[] out = new byte[plain.length + 32];
            int n = 0;
            for (int off = 0; off < ct.length; off += Sealer.CHUNK) {
                n += dec.update(ct, off, Math.min(Sealer.CHUNK, ct.length - off), out, n);
            }
            dec.doFinal(out, n);
            report(round, "JDK AES/GCM decrypt (buffers everything)", t, mb);
        }
    }

    /** GHASH over the ciphertext with a BouncyCastle table multiplier (H = E(K, 0^128)). */
    private static void ghash(GCMMultiplier m, byte[] key, byte[] data) throws Exception {
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        m.init(ecb.doFinal(new byte[16]));
        byte[] x = new byte[16];
        int full = data.length & ~15;
        for (int i = 0; i < full; i += 16) {
            for (int j = 0; j < 16; j++) {
                x[j] ^= data[i + j];
            }
            m.multiplyH(x);
        }
    }

    private static void report(int round, String what, long t0, double mb) {
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("round %d  %-52s %7.0f MB/s%n", round, what, mb / s);
    }
}
