package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reason the project has its own GCM: payloads past 2^31-1 bytes, where SunJCE's GCM stops.
 * One stream of 2^31 + 1,000,003 bytes (so past every int length, and past 2^32 bits in GCM's length
 * block) goes through {@link GcmStreamEncryptor} and BouncyCastle's {@link GCMBlockCipher} (pure Java,
 * no size limit) under the encryptor's own key and nonce: the ciphertext must be the same byte for
 * byte and the tag the same. BouncyCastle's ciphertext and tag are then fed, as they are produced,
 * to {@link GcmStreamDecryptor}, which must return the plaintext byte for byte and accept the tag.
 * That test writes nothing to disk and holds little memory: the plaintext is regenerated from its offset.
 *
 * <p>An integration test (failsafe, in {@code mvn verify}): BouncyCastle's GCM runs at ~50-80 MB/s, so
 * with the envelope round trip below this takes 70-110 s on two cores, too long for the unit-test run.
 */
class GcmOver2GiBIT {

    static final long SIZE = (1L << 31) + 1_000_003;
    static final int PIECE = 64 * 1024;

    /** The plaintext: a random 64 KiB block, its first 8 bytes replaced by the block's index. */
    static final class Plaintext {
        private final byte[] base = new byte[PIECE];

        Plaintext(long seed) {
            new Random(seed).nextBytes(base);
        }

        /** Fills dst[off, off+len) with the plaintext from byte {@code pos} on. */
        void fill(long pos, byte[] dst, int off, int len) {
            while (len > 0) {
                long block = pos / PIECE;
                int in = (int) (pos % PIECE);
                int n = Math.min(len, PIECE - in);
                System.arraycopy(base, in, dst, off, n);
                for (int i = in; i < 8 && i < in + n; i++) {
                    dst[off + i - in] = (byte) (block >>> (8 * (7 - i)));
                }
                pos += n;
                off += n;
                len -= n;
            }
        }
    }

    /** Checks that two byte streams, fed in pieces of any size and at any lag, are equal. */
    static final class SameBytes {
        private byte[] ahead = new byte[4 * PIECE];
        private int aheadLength;
        private boolean aheadIsFirst;
        long compared;

        void first(byte[] b, int off, int len) {
            feed(true, b, off, len);
        }

        void second(byte[] b, int off, int len) {
            feed(false, b, off, len);
        }

        private void feed(boolean fromFirst, byte[] b, int off, int len) {
            if (aheadLength > 0 && aheadIsFirst != fromFirst) {
                int n = Math.min(aheadLength, len);
                int m = Arrays.mismatch(ahead, 0, n, b, off, off + n);
                if (m >= 0) {
                    throw new AssertionError("the streams differ at byte " + (compared + m));
                }
                compared += n;
                System.arraycopy(ahead, n, ahead, 0, aheadLength - n);
                aheadLength -= n;
                off += n;
                len -= n;
            }
            if (len > 0) {
                if (aheadLength + len > ahead.length) {
                    ahead = Arrays.copyOf(ahead, Math.max(2 * ahead.length, aheadLength + len));
                }
                System.arraycopy(b, off, ahead, aheadLength, len);
                aheadLength += len;
                aheadIsFirst = fromFirst;
            }
        }

        void assertComplete(long expected) {
            assertEquals(0, aheadLength, "one stream is longer than the other by " + aheadLength + " bytes");
            assertEquals(expected, compared);
        }
    }

    /** An InputStream over byte arrays handed over by another thread; an empty array ends it. */
    static final class HandOver extends InputStream {
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(64);
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void put(byte[] b, int off, int len) throws InterruptedException {
            if (len > 0) {
                queue.put(Arrays.copyOfRange(b, off, off + len));
            }
        }

        void end() throws InterruptedException {
            queue.put(new byte[0]);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    byte[] next = queue.poll(60, TimeUnit.SECONDS);
                    if (next == null) {
                        throw new IOException("nothing handed over for 60 s");
                    }
                    ended = next.length == 0;
                    current = next;
                    pos = 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void overTwoGiBOurGcmEqualsBouncyCastlesAndOpensIt() throws Exception {
        long t0 = System.nanoTime();
        Plaintext plaintext = new Plaintext(31);

        GcmStreamEncryptor ours = new GcmStreamEncryptor();
        SecretKey key = Fixtures.contentKey(ours);
        GCMParameters params =
                GCMParameters.getInstance(ours.getAlgorithmIdentifier().getParameters());
        byte[] nonce = params.getNonce();
        assertEquals(16, params.getIcvLen());

        GCMModeCipher reference = GCMBlockCipher.newInstance(AESEngine.newInstance());
        reference.init(true, new AEADParameters(new KeyParameter(key.getEncoded()), 128, nonce));

        SameBytes ciphertexts = new SameBytes();
        OutputStream ourCiphertext = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                ciphertexts.first(b, off, len);
            }
        };

        // our decryptor opens BouncyCastle's ciphertext and tag as they are produced, on a second thread
        HandOver toDecryptor = new HandOver();
        GcmStreamDecryptor decryptor = new GcmStreamDecryptor(
                new AlgorithmIdentifier(CMSAlgorithm.AES256_GCM, new GCMParameters(nonce, 16)), key);
        CompletableFuture<Long> opened = CompletableFuture.supplyAsync(() -> {
            byte[] buf = new byte[PIECE + 13]; // reads that do not line up with the writer's pieces
            byte[] expected = new byte[buf.length];
            long pos = 0;
            try (InputStream in = decryptor.getInputStream(toDecryptor)) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    plaintext.fill(pos, expected, 0, n);
                    int m = Arrays.mismatch(buf, 0, n, expected, 0, n);
                    if (m >= 0) {
                        throw new AssertionError("decrypted plaintext differs at byte " + (pos + m));
                    }
                    pos += n;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return pos;
        });

        byte[] piece = new byte[PIECE];
        byte[] bcOut = new byte[PIECE + 32];
        long bcBytes = 0;
        try (OutputStream enc = ours.getOutputStream(ourCiphertext)) {
            for (long pos = 0; pos < SIZE; ) {
                int n = (int) Math.min(PIECE - (pos % 7), SIZE - pos); // odd pieces, so blocks straddle calls
                plaintext.fill(pos, piece, 0, n);
                enc.write(piece, 0, n);
                int produced = reference.processBytes(piece, 0, n, bcOut, 0);
                ciphertexts.second(bcOut, 0, produced);
                toDecryptor.put(bcOut, 0, produced);
                bcBytes += produced;
                pos += n;
            }
        }
        int last = reference.doFinal(bcOut, 0);
        byte[] bcTag = reference.getMac();
        assertEquals(16, bcTag.length);
        ciphertexts.second(bcOut, 0, last - 16); // doFinal's output is the last ciphertext bytes, then the tag
        toDecryptor.put(bcOut, 0, last);
        toDecryptor.end();
        bcBytes += last - 16;
        long encrypted = System.nanoTime();

        assertEquals(SIZE, bcBytes, "BouncyCastle's ciphertext length");
        ciphertexts.assertComplete(SIZE);
        assertArrayEquals(bcTag, ours.getMAC(), "the tag over 2^31 + 1,000,003 bytes");
        assertEquals(SIZE, opened.get(5, TimeUnit.MINUTES), "plaintext bytes returned by our decryptor");
        long done = System.nanoTime();
        System.out.printf(
                "GcmOver2GiBIT: %d bytes, encrypt+compare %.1f s, all done %.1f s%n",
                SIZE, (encrypted - t0) / 1e9, (done - t0) / 1e9);
    }

    /** The plaintext as a stream of {@code size} bytes, digested as it is read. */
    static InputStream plaintextStream(Plaintext plaintext, long size, MessageDigest digest) {
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                plaintext.fill(pos, b, off, n);
                digest.update(b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /**
     * The same size through the whole envelope: Sealer (SignedData in AuthEnvelopedData, our GCM) to a
     * file, Opener (our GCM decryptor, signature check) to a file; the plaintext on disk must be the
     * generated one, byte for byte. This covers the envelope's own counts and streams past 2^31 bytes;
     * that the GCM in it is GCM is the test above's job (an error shared by our encryptor and decryptor
     * would pass here). About 4.3 GB of temporary files, deleted at the end.
     */
    @Test
    void overTwoGiBSealsAndOpensThroughTheEnvelope(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential sender = pki.client("city-sender");
        Credential contractor = pki.recipient("contractor");
        Plaintext plaintext = new Plaintext(41);
        MessageDigest sealedDigest = MessageDigest.getInstance("SHA-256");
        Path envelope = dir.resolve("big.cms");
        Path opened = dir.resolve("big.out");
        try {
            SealResult sealed;
            try (InputStream in = plaintextStream(plaintext, SIZE, sealedDigest);
                    OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(envelope), 1 << 16)) {
                sealed = Sealer.seal(
                        in,
                        out,
                        Identities.load(sender.certificateFile(), null),
                        List.of(contractor.certificate()),
                        ContentCipher.AES_256_GCM);
            }
            assertEquals(SIZE, sealed.plaintextBytes());
            assertEquals(Files.size(envelope), sealed.envelopeBytes());
            assertTrue(sealed.envelopeBytes() > SIZE, "the envelope holds all the ciphertext");
            long sealedAt = System.nanoTime();

            OpenResult result = Opener.open(
                    envelope,
                    opened,
                    contractor.privateKey(),
                    contractor.certificate(),
                    TrustAnchors.fromPem(pki.caFile()));
            long openedAt = System.nanoTime();
            assertEquals(SIZE, result.bytes());
            assertEquals(HexFormat.of().formatHex(sealedDigest.digest()), result.plaintextSha256());
            assertEquals(ContentCipher.AES_256_GCM, result.cipher());
            assertEquals(sender.certificate(), result.signer());
            Files.delete(envelope);

            assertEquals(SIZE, Files.size(opened));
            byte[] got = new byte[1 << 20];
            byte[] expected = new byte[got.length];
            long pos = 0;
            try (InputStream in = Files.newInputStream(opened)) {
                int n;
                while ((n = in.readNBytes(got, 0, got.length)) > 0) {
                    plaintext.fill(pos, expected, 0, n);
                    int m = Arrays.mismatch(got, 0, n, expected, 0, n);
                    assertTrue(m < 0, "the opened file differs at byte " + (pos + m));
                    pos += n;
                }
            }
            assertEquals(SIZE, pos);
            System.out.printf(
                    "GcmOver2GiBIT: envelope of %d bytes, seal %.1f s, open %.1f s, all done %.1f s%n",
                    SIZE, (sealedAt - t0) / 1e9, (openedAt - sealedAt) / 1e9, (System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(envelope);
            Files.deleteIfExists(opened);
        }
    }
}
