package jp.sekisho.envelope;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;

import org.bouncycastle.crypto.modes.gcm.GCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables64kGCMMultiplier;

/**
 * The GCM tag of a ciphertext stream (NIST SP 800-38D, no AAD): GHASH over the ciphertext in the
 * pure-Java table multiplier of BouncyCastle, masked with E(K, J0) from the JDK's AES.
 *
 * <p>Why not the JDK's GCM: SunJCE refuses more than 2^31-1 bytes in one GCM operation, so a 2 GiB
 * payload could be neither sealed nor opened with it. CTR for the data stays on the JDK (AES-NI).
 */
final class Ghash {

    private final GCMMultiplier multiplier = new Tables64kGCMMultiplier();
    private final byte[] mask;
    private final byte[] x = new byte[16];
    private final byte[] partial = new byte[16];
    private int partialLength;
    private long bytes;

    /** @param nonce the 12-byte GCM nonce (J0 = nonce || 0^31 || 1) */
    Ghash(SecretKey aes, byte[] nonce) throws GeneralSecurityException {
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, aes);
        multiplier.init(ecb.doFinal(new byte[16]));
        byte[] j0 = Arrays.copyOf(nonce, 16);
        j0[15] = 1;
        mask = ecb.doFinal(j0);
    }

    /** Counter block where GCM's data keystream starts: inc32(J0). */
    static byte[] firstCounter(byte[] nonce) {
        byte[] counter = Arrays.copyOf(nonce, 16);
        counter[15] = 2;
        return counter;
    }

    void update(byte[] ciphertext, int off, int len) {
        bytes += len;
        if (partialLength > 0) {
            int take = Math.min(len, 16 - partialLength);
            System.arraycopy(ciphertext, off, partial, partialLength, take);
            partialLength += take;
            off += take;
            len -= take;
            if (partialLength < 16) {
                return;
            }
            block(partial, 0);
            partialLength = 0;
        }
        int end = off + (len & ~15);
        for (int i = off; i < end; i += 16) {
            block(ciphertext, i);
        }
        int rest = len & 15;
        if (rest > 0) {
            System.arraycopy(ciphertext, end, partial, 0, rest);
            partialLength = rest;
        }
    }

    /** The full 16-byte tag; callers truncate it to the envelope's tag length. */
    byte[] tag() {
        if (partialLength > 0) {
            Arrays.fill(partial, partialLength, 16, (byte) 0);
            block(partial, 0);
            partialLength = 0;
        }
        byte[] lengths = new byte[16];
        long bits = bytes * 8;
        for (int i = 0; i < 8; i++) {
            lengths[15 - i] = (byte) (bits >>> (8 * i)); // len(A) = 0 in the first 8 bytes
        }
        block(lengths, 0);
        byte[] t = x.clone();
        for (int i = 0; i < 16; i++) {
            t[i] ^= mask[i];
        }
        return t;
    }

    private void block(byte[] b, int off) {
        for (int i = 0; i < 16; i++) {
            x[i] ^= b[off + i];
        }
        multiplier.multiplyH(x);
    }
}
