package jp.sekisho.envelope;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.bouncycastle.crypto.modes.gcm.GCMUtil;

/**
 * AES-GCM (NIST SP 800-38D, 96-bit nonce, AAD known before the data) over a stream of any length, in
 * constant memory, on the JDK's own GCM encryption, which does AES and GHASH in one pass (VAES and
 * VPCLMULQDQ where the CPU has them: ~10 GB/s on this project's machine, against ~1 GB/s for AES/CTR
 * followed by a separate GHASH).
 *
 * <p>SunJCE allows at most 2^31-1 bytes per GCM operation and holds all ciphertext when decrypting,
 * so the stream is cut into segments of {@link #SEGMENT} bytes, each its own JDK GCM
 * <em>encryption</em>, whose IV is chosen so that its counter blocks are the ones the whole stream's
 * GCM uses there: J0_s = nonce || (1 + index of the segment's first block). Segment 0 has J0 itself
 * (the 96-bit nonce). Past it a 16-byte IV V gives any J0, since the JDK then derives
 * J0 = GHASH_H(V || 0^64 || [128]_64) = V·H^2 xor L·H, solved here for V.
 *
 * <p>A segment's tag, less E(K, J0_s), is the GHASH of that segment's ciphertext, and GHASH is
 * linear: with Y = X·H (X the running GHASH state), a segment of n blocks and lengths block L gives
 * Y' = Y·H^n xor (tag xor E(K, J0_s)) xor L·H. Decrypting runs two such encryptions per segment: the
 * ciphertext through the keystream gives the plaintext, and the plaintext through it again gives the
 * ciphertext's tag (its ciphertext output is discarded). The inner tags are never output.
 *
 * <p>Data reaches the JDK in whole blocks; up to 15 bytes wait for the next call or for
 * {@link #finish}, so {@code update} returns what it wrote.
 */
final class GcmSegments {

    /** Bytes per JDK GCM operation: a multiple of 16 below SunJCE's 2^31-1. */
    static final int SEGMENT = 256 << 20;

    /** GCM's own limit per nonce: 2^32 - 2 blocks of data. */
    static final long MAX_BYTES = ((1L << 32) - 2) * 16;

    private static final int SCRATCH = 64 * 1024;
    private static final long[] IV_LENGTHS = {0, 128}; // the lengths block of a 16-byte IV

    private final SecretKey key;
    private final byte[] nonce;
    private final int segment;
    private final boolean decrypting;
    private final long maxBytes;
    private final Cipher forward; // input -> output: encrypts, or decrypts through the keystream
    private final Cipher retag; // decrypting only: the plaintext again, for the ciphertext's tag
    private final Cipher ecb;
    private final long[] h;
    private final long[] hSegment; // H^(segment/16)
    private final byte[] mask; // E(K, J0), the stream's own
    private final long[] y = new long[2];
    private final byte[] pending = new byte[16];
    private byte[] scratch;
    private long[] hSquaredInverse; // only streams longer than one segment need it
    private int pendingLength;
    private long aadBytes;
    private long bytes; // data given to the JDK so far
    private long segmentFirstBlock;
    private int segmentUsed;
    private boolean segmentOpen;
    private byte[] tag;

    /**
     * @param nonce the 12-byte GCM nonce
     * @param aad the additional authenticated data, hashed first (may be empty)
     * @param decrypting whether the input is ciphertext (the tag then covers the input)
     */
    GcmSegments(SecretKey key, byte[] nonce, byte[] aad, boolean decrypting) throws GeneralSecurityException {
        this(key, nonce, aad, decrypting, SEGMENT);
    }

    /** With a segment size of one's own (a positive multiple of 16), so tests cross many segments. */
    GcmSegments(SecretKey key, byte[] nonce, byte[] aad, boolean decrypting, int segment)
            throws GeneralSecurityException {
        this(key, nonce, aad, decrypting, segment, MAX_BYTES);
    }

    /** With a lower limit than GCM's, so tests reach it. */
    GcmSegments(SecretKey key, byte[] nonce, byte[] aad, boolean decrypting, int segment, long maxBytes)
            throws GeneralSecurityException {
        if (nonce.length != 12) {
            throw new GeneralSecurityException("GCM nonce of " + nonce.length + " bytes not supported (12 expected)");
        }
        if (segment <= 0 || segment % 16 != 0) {
            throw new IllegalArgumentException("segment must be a positive multiple of 16: " + segment);
        }
        this.key = key;
        this.nonce = nonce.clone();
        this.segment = segment;
        this.decrypting = decrypting;
        this.maxBytes = Math.min(maxBytes, MAX_BYTES);
        forward = Cipher.getInstance("AES/GCM/NoPadding");
        retag = decrypting ? Cipher.getInstance("AES/GCM/NoPadding") : null;
        ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, key);
        h = GCMUtil.asLongs(ecb.doFinal(new byte[16]));
        if (h[0] == 0 && h[1] == 0) {
            throw new GeneralSecurityException("AES key with a zero GHASH key"); // probability 2^-128
        }
        hSegment = power(h, BigInteger.valueOf(segment / 16));
        mask = ecb.doFinal(j0(0));
        aad(aad);
    }

    /**
     * Encrypts or decrypts {@code len} bytes into {@code out}, which needs {@code len + 15} bytes
     * free; returns how many it wrote (whole blocks, a partial one waits).
     */
    int update(byte[] in, int off, int len, byte[] out, int outOff) throws IOException {
        if (tag != null) {
            throw new IllegalStateException("the stream is finished");
        }
        int written = 0;
        if (pendingLength > 0) {
            int take = Math.min(16 - pendingLength, len);
            System.arraycopy(in, off, pending, pendingLength, take);
            pendingLength += take;
            off += take;
            len -= take;
            if (pendingLength < 16) {
                return 0;
            }
            written += blocks(pending, 0, 16, out, outOff);
            pendingLength = 0;
        }
        int whole = len & ~15;
        if (whole > 0) {
            written += blocks(in, off, whole, out, outOff + written);
        }
        pendingLength = len - whole;
        System.arraycopy(in, off + whole, pending, 0, pendingLength);
        return written;
    }

    /** Processes the last partial block into {@code out} (up to 15 bytes) and returns their number; then {@link #tag()} holds. */
    int finish(byte[] out, int outOff) throws IOException {
        if (tag != null) {
            throw new IllegalStateException("the stream is finished");
        }
        int n = pendingLength;
        if (n > 0 || segmentOpen) {
            checkLimit(n);
            if (!segmentOpen) {
                openSegment();
            }
            closeSegment(n, out, outOff);
        }
        pendingLength = 0;
        long[] t = times(new long[] {aadBytes * 8, bytes * 8}, h); // len(A), len(C) in bits
        t[0] ^= y[0];
        t[1] ^= y[1];
        tag = GCMUtil.asBytes(t);
        for (int i = 0; i < 16; i++) {
            tag[i] ^= mask[i];
        }
        return n;
    }

    /** The full 16-byte tag of the ciphertext, once finished; callers truncate it to the envelope's length. */
    byte[] tag() {
        if (tag == null) {
            throw new IllegalStateException("the GCM tag is known only once the stream is finished");
        }
        return tag.clone();
    }

    /** Whole blocks, across segment edges. */
    private int blocks(byte[] in, int off, int len, byte[] out, int outOff) throws IOException {
        checkLimit(len);
        int done = 0;
        while (done < len) {
            if (!segmentOpen) {
                openSegment();
            }
            int take = Math.min(len - done, segment - segmentUsed);
            int n;
            try {
                n = forward.update(in, off + done, take, out, outOff + done);
                if (decrypting) {
                    retagUpdate(out, outOff + done, n);
                }
            } catch (GeneralSecurityException e) {
                throw failed(e);
            }
            if (n != take) {
                throw new IOException("AES-GCM returned " + n + " of " + take + " bytes");
            }
            segmentUsed += take;
            done += take;
            if (segmentUsed == segment) {
                closeSegment(0, out, outOff);
            }
        }
        return done;
    }

    private void retagUpdate(byte[] plain, int off, int len) throws GeneralSecurityException {
        if (scratch == null) {
            scratch = new byte[SCRATCH + 16];
        }
        for (int done = 0; done < len; ) {
            int take = Math.min(SCRATCH, len - done);
            retag.update(plain, off + done, take, scratch, 0);
            done += take;
        }
    }

    private void checkLimit(int more) throws IOException {
        if (bytes + segmentUsed + more > maxBytes) {
            throw new IOException("the payload passes " + maxBytes
                    + " bytes, what GCM allows under one key and nonce (about 64 GiB): split the file");
        }
    }

    private void openSegment() throws IOException {
        byte[] iv = segmentFirstBlock == 0 ? nonce : ivFor(j0(segmentFirstBlock));
        try {
            GCMParameterSpec spec = new GCMParameterSpec(128, iv);
            forward.init(Cipher.ENCRYPT_MODE, key, spec);
            if (decrypting) {
                retag.init(Cipher.ENCRYPT_MODE, key, spec);
            }
        } catch (GeneralSecurityException e) {
            throw failed(e);
        }
        segmentOpen = true;
        segmentUsed = 0;
    }

    /** Ends the open segment with the first {@code lastLength} bytes of {@link #pending} (the stream's last partial block, or none) and folds its tag into Y. */
    private void closeSegment(int lastLength, byte[] out, int outOff) throws IOException {
        byte[] segmentTag;
        byte[] segmentMask;
        try {
            byte[] done = forward.doFinal(pending, 0, lastLength); // output, then the inner tag
            if (lastLength > 0) {
                System.arraycopy(done, 0, out, outOff, lastLength);
            }
            byte[] tagged = decrypting ? retag.doFinal(done, 0, lastLength) : done;
            segmentTag = Arrays.copyOfRange(tagged, lastLength, tagged.length);
            segmentMask = ecb.doFinal(j0(segmentFirstBlock));
        } catch (GeneralSecurityException e) {
            throw failed(e);
        }
        long length = (long) segmentUsed + lastLength;
        long blocks = (length + 15) / 16;
        fold(segmentTag, segmentMask, length == segment ? hSegment : power(h, BigInteger.valueOf(blocks)), 0, length);
        bytes += length;
        segmentFirstBlock += blocks;
        segmentUsed = 0;
        segmentOpen = false;
    }

    /** Hashes the AAD the way GCM pads it, so the data starts on a block boundary. */
    private void aad(byte[] a) throws GeneralSecurityException {
        if (a.length == 0) {
            return;
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        c.updateAAD(a);
        fold(c.doFinal(), mask, h, a.length, 0); // Y is 0 here: H^n does not matter
        aadBytes = a.length;
    }

    /**
     * Y = Y·H^n xor (innerTag xor innerMask) xor L·H: an inner operation's tag, less its E(K, J0), is
     * GHASH_H of its input padded, followed by its lengths block L = [len A]_64 || [len C]_64 in bits.
     */
    private void fold(byte[] innerTag, byte[] innerMask, long[] hPowerN, long innerAad, long innerData) {
        long[] s = GCMUtil.asLongs(innerTag);
        long[] m = GCMUtil.asLongs(innerMask);
        long[] lengthsH = times(new long[] {innerAad * 8, innerData * 8}, h);
        GCMUtil.multiply(y, hPowerN);
        y[0] ^= s[0] ^ m[0] ^ lengthsH[0];
        y[1] ^= s[1] ^ m[1] ^ lengthsH[1];
    }

    /** J0 of the operation whose first data block is block {@code firstBlock} of the stream: nonce || 1 + firstBlock (mod 2^32). */
    private byte[] j0(long firstBlock) {
        byte[] j0 = Arrays.copyOf(nonce, 16);
        int counter = (int) (1 + firstBlock);
        j0[12] = (byte) (counter >>> 24);
        j0[13] = (byte) (counter >>> 16);
        j0[14] = (byte) (counter >>> 8);
        j0[15] = (byte) counter;
        return j0;
    }

    /** The 16-byte IV V with GHASH_H(V || [128]_128) = j0: V = (j0 xor L·H)·H^-2. */
    private byte[] ivFor(byte[] j0) {
        if (hSquaredInverse == null) {
            // H^-2 = H^(2^128 - 3): the multiplicative group of GF(2^128) has order 2^128 - 1
            hSquaredInverse = power(h, BigInteger.ONE.shiftLeft(128).subtract(BigInteger.valueOf(3)));
        }
        long[] v = GCMUtil.asLongs(j0);
        long[] lengthsH = times(IV_LENGTHS, h);
        v[0] ^= lengthsH[0];
        v[1] ^= lengthsH[1];
        GCMUtil.multiply(v, hSquaredInverse);
        return GCMUtil.asBytes(v);
    }

    private static IOException failed(GeneralSecurityException e) {
        return new IOException("AES-GCM failed in this JDK: " + e.getMessage(), e);
    }

    private static long[] times(long[] a, long[] b) {
        long[] r = a.clone();
        GCMUtil.multiply(r, b);
        return r;
    }

    /** x^e in GF(2^128), e ≥ 1. */
    private static long[] power(long[] x, BigInteger e) {
        long[] result = null;
        long[] base = x.clone();
        for (int i = 0; i < e.bitLength(); i++) {
            if (e.testBit(i)) {
                result = result == null ? base.clone() : times(result, base);
            }
            if (i + 1 < e.bitLength()) {
                base = times(base, base);
            }
        }
        return result;
    }
}
