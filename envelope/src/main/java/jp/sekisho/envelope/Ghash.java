package jp.sekisho.envelope;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.bouncycastle.crypto.modes.gcm.GCMUtil;

/**
 * The GCM tag of a ciphertext stream (NIST SP 800-38D; AAD, when any, known before the ciphertext), in constant memory and at the speed
 * of the JDK's GHASH intrinsic (PCLMULQDQ), for streams of any length.
 *
 * <p>Why not the JDK's GCM directly: SunJCE refuses more than 2^31-1 bytes in one GCM operation and
 * holds the whole ciphertext when decrypting. Why not BouncyCastle's GHASH: pure Java, ~0.5 GB/s,
 * the bottleneck of sealing and opening. So the ciphertext is hashed in 4 KiB segments, each given
 * to the JDK's GCM as AAD with an empty plaintext under the same key (hence the same H): that tag is
 * GHASH_H(segment || lengths) xor E(K, IV), and GHASH is linear, so the segments combine:
 * with Y = X·H (X the running GHASH state), a segment of n blocks gives
 * Y' = Y·H^n xor (tag xor E(K, IV)) xor L·H, where L is the segment's lengths block. The tags of these
 * internal operations are never output; each uses a fresh IV only because SunJCE refuses to encrypt
 * twice in a row with one key and IV.
 */
final class Ghash {

    /** Bytes per internal GCM operation, a multiple of 16. Small, so that the many calls get the caller
     * C2-compiled (the intrinsic only applies then) within the first few MiB; 4 KiB measured fastest
     * for a 1 GiB stream on JDK 17 and 25 (0.55-0.74 s, against 1.7 s with 64 KiB segments). */
    static final int SEGMENT = 4 * 1024;

    private final SecretKey key;
    private final Cipher gcm;
    private final Cipher ecb;
    private final long[] h;
    private final long[] hSegment; // H^(SEGMENT/16)
    private final long[] lengthsSegmentH; // L(SEGMENT)·H
    private final byte[] mask; // E(K, J0) of the payload's own nonce
    private final long[] y = new long[2];
    private final byte[] segment = new byte[SEGMENT];
    private final byte[] iv = new byte[12];
    private int segmentLength;
    private long ivCounter;
    private long bytes;
    private long aadBytes;

    /** @param nonce the 12-byte GCM nonce (J0 = nonce || 0^31 || 1) */
    Ghash(SecretKey aes, byte[] nonce) throws GeneralSecurityException {
        key = aes;
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, aes);
        h = GCMUtil.asLongs(ecb.doFinal(new byte[16]));
        hSegment = power(h, SEGMENT / 16);
        lengthsSegmentH = times(aadLengths(SEGMENT), h);
        mask = ecb.doFinal(j0(nonce));
        iv[0] = (byte) 0xA5; // internal IVs: a counter in the low bytes, distinct from one call to the next
    }

    /** Counter block where GCM's data keystream starts: inc32(J0). */
    static byte[] firstCounter(byte[] nonce) {
        byte[] counter = Arrays.copyOf(nonce, 16);
        counter[15] = 2;
        return counter;
    }

    private static byte[] j0(byte[] nonce) {
        byte[] j0 = Arrays.copyOf(nonce, 16);
        j0[15] = 1;
        return j0;
    }

    /**
     * The additional authenticated data, before any ciphertext: zero-padded to whole blocks as GCM
     * pads it, so the ciphertext's segments start on a block boundary. At most one segment.
     */
    void aad(byte[] a) {
        if (bytes > 0 || aadBytes > 0 || a.length > SEGMENT) {
            throw new IllegalStateException("AAD goes first, once, and fits one segment");
        }
        if (a.length == 0) {
            return;
        }
        System.arraycopy(a, 0, segment, 0, a.length);
        aadBytes = a.length;
        absorb(a.length, power(h, (a.length + 15) / 16), times(aadLengths(a.length), h));
    }

    void update(byte[] ciphertext, int off, int len) {
        bytes += len;
        while (len > 0) {
            int take = Math.min(len, SEGMENT - segmentLength);
            System.arraycopy(ciphertext, off, segment, segmentLength, take);
            segmentLength += take;
            off += take;
            len -= take;
            if (segmentLength == SEGMENT) {
                absorb(SEGMENT, hSegment, lengthsSegmentH);
            }
        }
    }

    /** The full 16-byte tag; callers truncate it to the envelope's tag length. */
    byte[] tag() {
        if (segmentLength > 0) {
            int n = segmentLength;
            absorb(n, power(h, (n + 15) / 16), times(aadLengths(n), h));
        }
        long[] lengths = new long[] {aadBytes * 8, bytes * 8}; // len(A), len(C) in bits
        long[] t = times(lengths, h);
        t[0] ^= y[0];
        t[1] ^= y[1];
        byte[] out = GCMUtil.asBytes(t);
        for (int i = 0; i < 16; i++) {
            out[i] ^= mask[i];
        }
        return out;
    }

    /** Y = Y·H^n xor GHASH_H(segment || L)·... see the class comment; empties the segment. */
    private void absorb(int length, long[] hPowerN, long[] lengthsTimesH) {
        byte[] g;
        try {
            long c = ++ivCounter;
            for (int i = 0; i < 8; i++) {
                iv[11 - i] = (byte) (c >>> (8 * i));
            }
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            gcm.updateAAD(segment, 0, length);
            g = gcm.doFinal();
            byte[] ivMask = ecb.doFinal(j0(iv));
            for (int i = 0; i < 16; i++) {
                g[i] ^= ivMask[i];
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not usable in this JDK: " + e.getMessage(), e);
        }
        GCMUtil.multiply(y, hPowerN);
        long[] s = GCMUtil.asLongs(g);
        y[0] ^= s[0] ^ lengthsTimesH[0];
        y[1] ^= s[1] ^ lengthsTimesH[1];
        segmentLength = 0;
    }

    /** The lengths block GCM appends to an AAD of {@code n} bytes and no ciphertext. */
    private static long[] aadLengths(int n) {
        return new long[] {(long) n * 8, 0};
    }

    private static long[] times(long[] a, long[] b) {
        long[] r = a.clone();
        GCMUtil.multiply(r, b);
        return r;
    }

    /** x^e in GF(2^128), e ≥ 1. */
    private static long[] power(long[] x, int e) {
        long[] result = null;
        long[] base = x.clone();
        while (e > 0) {
            if ((e & 1) != 0) {
                result = result == null ? base.clone() : times(result, base);
            }
            e >>>= 1;
            if (e > 0) {
                base = times(base, base);
            }
        }
        return result;
    }
}
