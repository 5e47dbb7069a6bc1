package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Segment by segment, GCM gives the ciphertext and tag the JDK's one-shot AES-GCM gives, both ways,
 * at every length around block and segment edges, with and without AAD. Small segments stand in for
 * the 256 MiB ones so that one test crosses dozens of edges (GcmOver2GiBIT crosses the real ones).
 */
class GcmSegmentsTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @ParameterizedTest(name = "{0} bytes, segments of {1}, AAD {2}")
    @CsvSource({
        "0, 64, 0",
        "1, 64, 0",
        "15, 64, 0",
        "16, 64, 0",
        "17, 64, 0",
        "63, 64, 0",
        "64, 64, 0",
        "65, 64, 0",
        "128, 64, 0",
        "1000, 64, 0",
        "0, 64, 13",
        "1, 64, 13",
        "64, 64, 13",
        "1000, 64, 40",
        "100003, 4096, 0",
        "100003, 16, 17",
        "4096, 4096, 0",
        "1048576, 65536, 11",
        "1048591, 65536, 0",
        "200000, 268435456, 0"
    })
    void bothWaysEqualTheJdksOneShotGcm(int length, int segment, int aadLength) throws Exception {
        SecretKey key = key();
        byte[] nonce = bytes(12);
        byte[] aad = bytes(aadLength);
        byte[] plaintext = bytes(length);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        jdk.updateAAD(aad);
        byte[] sealed = jdk.doFinal(plaintext);
        byte[] ciphertext = Arrays.copyOf(sealed, length);
        byte[] tag = Arrays.copyOfRange(sealed, length, sealed.length);

        for (boolean uneven : new boolean[] {false, true}) {
            GcmSegments encrypt = new GcmSegments(key, nonce, aad, false, segment);
            assertArrayEquals(ciphertext, run(encrypt, plaintext, uneven), "ciphertext, uneven " + uneven);
            assertArrayEquals(tag, encrypt.tag(), "tag when encrypting, uneven " + uneven);

            GcmSegments decrypt = new GcmSegments(key, nonce, aad, true, segment);
            assertArrayEquals(plaintext, run(decrypt, ciphertext, uneven), "plaintext, uneven " + uneven);
            assertArrayEquals(tag, decrypt.tag(), "tag when decrypting, uneven " + uneven);
        }
    }

    @Test
    void aChangedCiphertextBitInALaterSegmentChangesTheTag() throws Exception {
        SecretKey key = key();
        byte[] nonce = bytes(12);
        byte[] ciphertext = bytes(10_000);
        GcmSegments clean = new GcmSegments(key, nonce, new byte[0], true, 1024);
        run(clean, ciphertext, false);
        ciphertext[9_000] ^= 1;
        GcmSegments altered = new GcmSegments(key, nonce, new byte[0], true, 1024);
        run(altered, ciphertext, false);
        assertFalse(Arrays.equals(clean.tag(), altered.tag()));
    }

    @Test
    void refusesWhatItCannotDo() throws Exception {
        assertThrows(
                java.security.GeneralSecurityException.class,
                () -> new GcmSegments(key(), bytes(16), new byte[0], false));
        assertThrows(IllegalArgumentException.class, () -> new GcmSegments(key(), bytes(12), new byte[0], false, 24));
        GcmSegments done = new GcmSegments(key(), bytes(12), new byte[0], false, 64);
        assertThrows(IllegalStateException.class, done::tag, "no tag before the end");
        done.finish(new byte[16], 0);
        assertThrows(IllegalStateException.class, () -> done.update(new byte[1], 0, 1, new byte[32], 0));
    }

    @Test
    void refusesMoreThanItsLimitInUpdatesAndAtTheEnd() throws Exception {
        SecretKey key = key();
        byte[] nonce = bytes(12);
        GcmSegments exact = new GcmSegments(key, nonce, new byte[0], false, 32, 64);
        assertEquals(64, run(exact, bytes(64), true).length, "up to the limit, across segments");

        GcmSegments over = new GcmSegments(key, nonce, new byte[0], false, 32, 64);
        byte[] out = new byte[128];
        over.update(new byte[48], 0, 48, out, 0);
        IOException e = assertThrows(IOException.class, () -> over.update(new byte[32], 0, 32, out, 0));
        assertTrue(e.getMessage().contains("split the file"), e.getMessage());

        GcmSegments atTheEnd = new GcmSegments(key, nonce, new byte[0], true, 32, 64);
        atTheEnd.update(new byte[64], 0, 64, out, 0);
        atTheEnd.update(new byte[1], 0, 1, out, 0); // a partial block waits ...
        assertThrows(IOException.class, () -> atTheEnd.finish(out, 0)); // ... and is refused when it goes
    }

    /** All of {@code in} through {@code gcm}, in one call or in uneven pieces that straddle blocks and segments. */
    private static byte[] run(GcmSegments gcm, byte[] in, boolean uneven) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[in.length + 16];
        int off = 0;
        for (int step = 1; off < in.length; step = step * 7 % 10_007 + 1) {
            int n = uneven ? Math.min(step, in.length - off) : in.length;
            out.write(buf, 0, gcm.update(in, off, n, buf, 0));
            off += n;
        }
        out.write(buf, 0, gcm.finish(buf, 0));
        return out.toByteArray();
    }

    private static SecretKey key() throws Exception {
        KeyGenerator gen = KeyGenerator.getInstance("AES");
        gen.init(256);
        return gen.generateKey();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
