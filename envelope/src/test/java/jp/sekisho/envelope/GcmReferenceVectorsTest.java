package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * AES-GCM vectors for the project's own GCM ({@link GcmStreamEncryptor}, {@link GcmStreamDecryptor}),
 * each derived from two independent references that must agree with each other first: BouncyCastle's
 * {@link GCMBlockCipher} (pure Java) and the JDK's SunJCE {@code AES/GCM/NoPadding}, anchored by the
 * GCM specification's published test cases. The cases are those Wycheproof's {@code aes_gcm_test.json}
 * covers for a streaming AEAD: every plaintext length 0..513 and around 2^12, 2^14 and 2^16, 128/192/256-bit
 * keys, tags of 12 to 16 bytes, empty plaintexts, every flipped tag bit, flipped ciphertext bits,
 * truncation; and the parameters the project does not support (IVs other than 12 bytes, tags under
 * 12 bytes, additional authenticated data of 1..65 bytes) must be refused, never misread.
 *
 * <p>Why derived rather than Wycheproof's own file: it is published by no registry this project's
 * build can reach (no Maven Central artifact, no npm or Debian package), and the project does not
 * commit copies of other repositories' files.
 */
class GcmReferenceVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Lengths where blocks, 4 KiB, our 16 KiB chunks and 2^16 meet (GcmSegmentsTest crosses segment edges). */
    static final int[] LENGTHS = IntStream.concat(
                    IntStream.rangeClosed(0, 513),
                    IntStream.of(
                            4095,
                            4096,
                            4097,
                            Sealer.CHUNK - 1,
                            Sealer.CHUNK,
                            Sealer.CHUNK + 1,
                            (1 << 16) - 1,
                            1 << 16,
                            (1 << 16) + 1))
            .toArray();

    record Vector(String name, byte[] key, byte[] iv, byte[] aad, byte[] plaintext, int tagBytes, byte[] sealed) {
        byte[] ciphertext() {
            return Arrays.copyOf(sealed, plaintext.length);
        }
    }

    // ---- the references ----

    static byte[] bouncyCastle(boolean encrypt, byte[] key, byte[] iv, byte[] aad, int tagBytes, byte[] in)
            throws Exception {
        GCMModeCipher c = GCMBlockCipher.newInstance(AESEngine.newInstance());
        c.init(encrypt, new AEADParameters(new KeyParameter(key), tagBytes * 8, iv, aad));
        byte[] out = new byte[c.getOutputSize(in.length)];
        int n = c.processBytes(in, 0, in.length, out, 0);
        n += c.doFinal(out, n);
        return Arrays.copyOf(out, n);
    }

    static byte[] sunJce(int mode, byte[] key, byte[] iv, byte[] aad, int tagBytes, byte[] in) throws Exception {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(tagBytes * 8, iv));
        c.updateAAD(aad);
        return c.doFinal(in);
    }

    /** A vector whose ciphertext and tag both references produce, and both references open. */
    static Vector reference(String name, byte[] key, byte[] iv, byte[] aad, byte[] plaintext, int tagBytes)
            throws Exception {
        byte[] bc = bouncyCastle(true, key, iv, aad, tagBytes, plaintext);
        byte[] jdk = sunJce(Cipher.ENCRYPT_MODE, key, iv, aad, tagBytes, plaintext);
        assertArrayEquals(bc, jdk, name + ": the two references disagree");
        assertEquals(plaintext.length + tagBytes, bc.length, name);
        assertArrayEquals(plaintext, bouncyCastle(false, key, iv, aad, tagBytes, bc), name);
        assertArrayEquals(plaintext, sunJce(Cipher.DECRYPT_MODE, key, iv, aad, tagBytes, bc), name);
        return new Vector(name, key, iv, aad, plaintext, tagBytes, bc);
    }

    // ---- the project's GCM ----

    static GcmStreamDecryptor decryptor(byte[] key, byte[] iv, int tagBytes) throws GeneralSecurityException {
        return new GcmStreamDecryptor(
                new AlgorithmIdentifier(CMSAlgorithm.AES256_GCM, new GCMParameters(iv, tagBytes)),
                new SecretKeySpec(key, "AES"));
    }

    /** Opens ciphertext || tag with our decryptor, read in odd slices; {@code aad} as the CMS parser would pass it. */
    static byte[] open(byte[] key, byte[] iv, int tagBytes, byte[] aad, byte[] sealed) throws Exception {
        GcmStreamDecryptor d = decryptor(key, iv, tagBytes);
        if (aad.length > 0) {
            try (OutputStream a = d.getAADStream()) {
                a.write(aad);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream src = new ByteArrayInputStream(sealed) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + pos % 37));
            }
        };
        try (InputStream in = d.getInputStream(src)) {
            byte[] buf = new byte[29];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    static byte[] open(Vector v) throws Exception {
        return open(v.key, v.iv, v.tagBytes, v.aad, v.sealed);
    }

    static void assertRefused(Vector v, byte[] altered, String what) {
        assertThrows(
                TagMismatchException.class, () -> open(v.key, v.iv, v.tagBytes, v.aad, altered), v.name + ": " + what);
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    // ---- the tests ----

    /** Test cases 1, 2, 13 and 14 of McGrew and Viega's GCM specification (zero key, zero IV). */
    @Test
    void theSpecificationsTestCasesAnchorTheReferencesAndOurDecryptorOpensThem() throws Exception {
        String[][] cases = {
            // key, plaintext, ciphertext, tag
            {"00000000000000000000000000000000", "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
            {
                "00000000000000000000000000000000",
                "00000000000000000000000000000000",
                "0388dace60b6a392f328c2b971b2fe78",
                "ab6e47d42cec13bdf53a67b21257bddf"
            },
            {
                "0000000000000000000000000000000000000000000000000000000000000000",
                "",
                "",
                "530f8afbc74536b9a963b4f1c4cb738b"
            },
            {
                "0000000000000000000000000000000000000000000000000000000000000000",
                "00000000000000000000000000000000",
                "cea7403d4d606b6e074ec5d3baf39d18",
                "d0d1c8a799996bf0265b98b5d48ab919"
            },
        };
        for (String[] c : cases) {
            Vector v = reference(
                    "spec " + c[0].length() * 4 + "-bit key, " + c[1].length() / 2 + " bytes",
                    HEX.parseHex(c[0]),
                    new byte[12],
                    new byte[0],
                    HEX.parseHex(c[1]),
                    16);
            assertEquals(c[2] + c[3], HEX.formatHex(v.sealed), v.name);
            assertArrayEquals(v.plaintext, open(v), v.name);
        }
    }

    @Test
    void ourDecryptorOpensEveryReferenceVectorAndRefusesEveryAlteredOne() throws Exception {
        Random r = new Random(20);
        int[] keyBytes = {16, 24, 32};
        int vectors = 0;
        for (int length : LENGTHS) {
            for (int tagBytes = 12; tagBytes <= 16; tagBytes++) {
                if (length > 513 && tagBytes != 16 && tagBytes != 12) {
                    continue; // the long ones with the full and the shortest tag
                }
                byte[] key = bytes(r, keyBytes[(length + tagBytes) % 3]);
                Vector v = reference(
                        length + " bytes, " + key.length * 8 + "-bit key, " + tagBytes + "-byte tag",
                        key,
                        bytes(r, 12),
                        new byte[0],
                        bytes(r, length),
                        tagBytes);
                assertArrayEquals(v.plaintext, open(v), v.name);
                vectors++;

                byte[] tagBit = v.sealed.clone();
                int bit = r.nextInt(tagBytes * 8);
                tagBit[length + bit / 8] ^= (byte) (1 << (bit % 8));
                assertRefused(v, tagBit, "tag bit " + bit + " flipped");
                if (length > 0) {
                    byte[] dataBit = v.sealed.clone();
                    int at = r.nextInt(length * 8);
                    dataBit[at / 8] ^= (byte) (1 << (at % 8));
                    assertRefused(v, dataBit, "ciphertext bit " + at + " flipped");
                }
                byte[] cut = Arrays.copyOf(v.sealed, v.sealed.length - 1);
                assertThrows(
                        IOException.class, () -> open(v.key, v.iv, v.tagBytes, v.aad, cut), v.name + ": truncated");
                byte[] extended = Arrays.copyOf(v.sealed, v.sealed.length + 1);
                assertThrows(
                        IOException.class,
                        () -> open(v.key, v.iv, v.tagBytes, v.aad, extended),
                        v.name + ": a byte appended");
            }
        }
        assertTrue(vectors > 2500, vectors + " vectors");
    }

    @Test
    void everyFlippedTagBitAndEveryForgedTagIsRefused() throws Exception {
        Random r = new Random(21);
        for (int length : new int[] {0, 1, 16, 17, 4097}) {
            Vector v = reference(length + " bytes", bytes(r, 32), bytes(r, 12), new byte[0], bytes(r, length), 16);
            for (int bit = 0; bit < 128; bit++) {
                byte[] altered = v.sealed.clone();
                altered[length + bit / 8] ^= (byte) (1 << (bit % 8));
                assertRefused(v, altered, "tag bit " + bit);
            }
            byte[] zeroTag = v.sealed.clone();
            Arrays.fill(zeroTag, length, zeroTag.length, (byte) 0);
            assertRefused(v, zeroTag, "all-zero tag");
            byte[] onesTag = v.sealed.clone();
            Arrays.fill(onesTag, length, onesTag.length, (byte) 0xff);
            assertRefused(v, onesTag, "all-ones tag");
            // the tag of the same data under another nonce
            Vector other = reference(v.name + ", other nonce", v.key, bytes(r, 12), new byte[0], v.plaintext, 16);
            byte[] swapped = v.sealed.clone();
            System.arraycopy(other.sealed, length, swapped, length, 16);
            assertRefused(v, swapped, "tag of another nonce");
        }
    }

    @Test
    void ourEncryptorGivesTheReferencesCiphertextAndTagAtEveryLength() throws Exception {
        Random r = new Random(22);
        for (int length : LENGTHS) {
            byte[] plaintext = bytes(r, length);
            GcmStreamEncryptor ours = new GcmStreamEncryptor();
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (OutputStream enc = ours.getOutputStream(sink)) {
                // writes of 1, 2, 3, ... bytes (then 1 again), so blocks straddle calls
                int off = 0;
                for (int step = 1; off < length; step = step % 23 + 1) {
                    int n = Math.min(step, length - off);
                    if (n == 1) {
                        enc.write(plaintext[off]);
                    } else {
                        enc.write(plaintext, off, n);
                    }
                    off += n;
                }
            }
            byte[] key = Fixtures.contentKey(ours).getEncoded();
            GCMParameters params =
                    GCMParameters.getInstance(ours.getAlgorithmIdentifier().getParameters());
            assertEquals(12, params.getNonce().length);
            assertEquals(32, key.length, "AES-256");
            Vector v = reference(
                    length + " bytes sealed by our encryptor",
                    key,
                    params.getNonce(),
                    new byte[0],
                    plaintext,
                    params.getIcvLen());
            assertArrayEquals(v.ciphertext(), sink.toByteArray(), v.name + ": ciphertext");
            assertArrayEquals(Arrays.copyOfRange(v.sealed, length, v.sealed.length), ours.getMAC(), v.name + ": tag");
            assertArrayEquals(plaintext, open(v), v.name + ": our decryptor opens it");
        }
    }

    @Test
    void parametersOutsideWhatWeSupportAreRefusedNotMisread() throws Exception {
        Random r = new Random(23);
        List<String> refused = new ArrayList<>();
        // IVs of other lengths: GCM hashes them into J0, which we do not; refuse at construction
        for (int ivBytes : new int[] {1, 8, 11, 13, 16, 64}) {
            Vector v = reference(ivBytes + "-byte IV", bytes(r, 32), bytes(r, ivBytes), new byte[0], bytes(r, 40), 16);
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> open(v), v.name);
            refused.add(v.name + ": " + e.getMessage());
        }
        // tags shorter than 12 bytes (BouncyCastle's cipher makes them, SunJCE will not): the parameters as an
        // envelope would carry them, raw, since BouncyCastle's GCMParameters will not even build them
        for (int tagBytes : new int[] {4, 8, 11}) {
            byte[] key = bytes(r, 32);
            byte[] iv = bytes(r, 12);
            byte[] sealed = bouncyCastle(true, key, iv, new byte[0], tagBytes, bytes(r, 40));
            AlgorithmIdentifier alg = new AlgorithmIdentifier(
                    CMSAlgorithm.AES256_GCM,
                    new DERSequence(new ASN1Encodable[] {new DEROctetString(iv), new ASN1Integer(tagBytes)}));
            Exception e = assertThrows(
                    Exception.class,
                    () -> {
                        GcmStreamDecryptor d = new GcmStreamDecryptor(alg, new SecretKeySpec(key, "AES"));
                        d.getInputStream(new ByteArrayInputStream(sealed)).readAllBytes();
                    },
                    tagBytes + "-byte tag");
            assertTrue(e instanceof GeneralSecurityException || e instanceof IllegalArgumentException, e.toString());
            refused.add(tagBytes + "-byte tag: " + e.getMessage());
        }
        // additional authenticated data: CMS authenticated attributes, which we accept only when the
        // header implies them (the content type of compressed content), never as they come
        for (int aadBytes = 1; aadBytes <= 65; aadBytes++) {
            Vector v = reference(
                    aadBytes + " bytes of AAD",
                    bytes(r, 32),
                    bytes(r, 12),
                    bytes(r, aadBytes),
                    bytes(r, aadBytes * 7 % 50),
                    16);
            IOException given = assertThrows(IOException.class, () -> open(v), v.name + ", AAD handed over");
            assertFalse(given instanceof TagMismatchException, v.name + ": refused for the AAD, not as a forgery");
            assertTrue(given instanceof GcmStreamDecryptor.AuthAttrsRefused, given.toString());
            assertTrue(given.getMessage().contains("not accepted"), given.getMessage());
            // and a tag that covers AAD never verifies as if there were none
            assertThrows(
                    TagMismatchException.class,
                    () -> open(v.key, v.iv, v.tagBytes, new byte[0], v.sealed),
                    v.name + ", AAD left out");
        }
        GcmStreamEncryptor enc = new GcmStreamEncryptor();
        assertThrows(IOException.class, () -> enc.getAADStream().write(1), "our encryptor writes no AAD");
        assertEquals(9, refused.size(), String.join("\n", refused));
    }
}
