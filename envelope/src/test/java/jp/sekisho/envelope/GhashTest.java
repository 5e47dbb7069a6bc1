package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The segmented GHASH gives the tag the JDK's own AES-GCM gives, at every length around the segment edges. */
class GhashTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @ParameterizedTest
    @ValueSource(
            ints = {
                0,
                1,
                15,
                16,
                17,
                4095,
                Ghash.SEGMENT - 1,
                Ghash.SEGMENT,
                Ghash.SEGMENT + 1,
                2 * Ghash.SEGMENT,
                3 * Ghash.SEGMENT + 7,
                1_000_003
            })
    void tagEqualsTheJdkGcmTag(int length) throws Exception {
        KeyGenerator gen = KeyGenerator.getInstance("AES");
        gen.init(256);
        SecretKey key = gen.generateKey();
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        byte[] plaintext = new byte[length];
        RANDOM.nextBytes(plaintext);

        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        byte[] sealed = jdk.doFinal(plaintext);
        byte[] ciphertext = Arrays.copyOf(sealed, length);
        byte[] expected = Arrays.copyOfRange(sealed, length, sealed.length);

        Ghash whole = new Ghash(key, nonce);
        whole.update(ciphertext, 0, length);
        assertArrayEquals(expected, whole.tag(), "one update");

        Ghash pieces = new Ghash(key, nonce); // uneven pieces that straddle blocks and segments
        int off = 0;
        for (int step = 1; off < length; step = step * 7 % 100_003 + 1) {
            int n = Math.min(step, length - off);
            pieces.update(ciphertext, off, n);
            off += n;
        }
        assertArrayEquals(expected, pieces.tag(), "uneven updates");
    }
}
