package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.junit.jupiter.api.Test;

/**
 * The CTR + GCM-re-encryption decryptor against the JDK's reference GCM, at the sizes where
 * block, chunk and tag boundaries meet, read in odd slices, with full and 96-bit tags.
 */
class GcmStreamDecryptorTest {

    private static final int[] SIZES = {
        0,
        1,
        15,
        16,
        17,
        255,
        Sealer.CHUNK - 13,
        Sealer.CHUNK - 12,
        Sealer.CHUNK,
        Sealer.CHUNK + 1,
        3 * Sealer.CHUNK + 7,
        200_003
    };

    private final Random random = new Random(5);

    private static byte[] decrypt(byte[] key, byte[] nonce, int tagBytes, byte[] ciphertextAndTag, int slice)
            throws Exception {
        AlgorithmIdentifier alg = new AlgorithmIdentifier(CMSAlgorithm.AES256_GCM, new GCMParameters(nonce, tagBytes));
        GcmStreamDecryptor d = new GcmStreamDecryptor(alg, new SecretKeySpec(key, "AES"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // the source hands out odd-sized reads, as BER chunk boundaries do
        InputStream src = new ByteArrayInputStream(ciphertextAndTag) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + (pos % 4099)));
            }
        };
        try (InputStream in = d.getInputStream(src)) {
            if (slice == 1) {
                int c;
                while ((c = in.read()) >= 0) {
                    out.write(c);
                }
            } else {
                byte[] buf = new byte[slice];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            }
        }
        return out.toByteArray();
    }

    private byte[][] sample(int size, int tagBytes) throws Exception {
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] plain = new byte[size];
        random.nextBytes(key);
        random.nextBytes(nonce);
        random.nextBytes(plain);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(tagBytes * 8, nonce));
        return new byte[][] {key, nonce, plain, gcm.doFinal(plain)};
    }

    @Test
    void matchesJdkGcmAtBoundarySizes() throws Exception {
        for (int tagBytes : new int[] {16, 12}) {
            for (int size : SIZES) {
                byte[][] s = sample(size, tagBytes);
                for (int slice : new int[] {1, 7, 65536}) {
                    if (slice == 1 && size > 20_000) {
                        continue;
                    }
                    assertArrayEquals(
                            s[2], decrypt(s[0], s[1], tagBytes, s[3], slice), "size " + size + " slice " + slice);
                }
            }
        }
    }

    @Test
    void anyFlippedBitOrTruncationFailsTheTag() throws Exception {
        for (int size : new int[] {0, 17, Sealer.CHUNK + 1, 100_000}) {
            byte[][] s = sample(size, 16);
            for (int pos : new int[] {0, s[3].length / 2, s[3].length - 17, s[3].length - 1}) {
                if (pos < 0) {
                    continue;
                }
                byte[] bad = s[3].clone();
                bad[pos] ^= 0x10;
                assertThrows(
                        TagMismatchException.class,
                        () -> decrypt(s[0], s[1], 16, bad, 4096),
                        "size " + size + " pos " + pos);
            }
            byte[] cut = java.util.Arrays.copyOf(s[3], s[3].length - 1);
            assertThrows(IOException.class, () -> decrypt(s[0], s[1], 16, cut, 4096));
        }
    }
}
