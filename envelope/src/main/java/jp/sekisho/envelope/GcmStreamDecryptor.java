package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.InputAEADDecryptor;

/**
 * Streaming AES-GCM decryption on the JDK's AES code, in constant memory.
 *
 * <p>Why: the JDK's own GCM decryption holds the whole ciphertext until the tag is checked (and
 * refuses more than 2^31-1 bytes), and BouncyCastle's pure-Java AES is ~50 MB/s. {@link GcmSegments}
 * decrypts through the JDK's GCM encryption (the same keystream) and computes the ciphertext's tag.
 *
 * <p>The caller's stream is ciphertext followed by the tag (BouncyCastle's
 * {@code InputStreamWithMAC} appends the {@code mac} field), so the last icvLen bytes are held back.
 * A mismatch surfaces as {@link TagMismatchException} at end of stream, after plaintext was already
 * released to the caller: callers must write to a temporary file and keep it only on a clean end.
 *
 * <p>Limits: 96-bit nonces only (what OpenSSL and BouncyCastle write); authenticated attributes
 * only the ones known from the header (the content type of compressed content), since they must be
 * hashed before the ciphertext they follow.
 */
final class GcmStreamDecryptor implements InputAEADDecryptor {

    private final AlgorithmIdentifier algorithm;
    private final GcmSegments gcm;
    private final int tagLength;
    /** The authenticated attributes the header implies (hashed first), empty for id-data content. */
    private final byte[] expectedAad;

    private final java.io.ByteArrayOutputStream aadWritten = new java.io.ByteArrayOutputStream();

    GcmStreamDecryptor(AlgorithmIdentifier algorithm, Key key) throws GeneralSecurityException {
        this(algorithm, key, new byte[0]);
    }

    /**
     * @param expectedAad the DER of the authenticated attributes the envelope must carry: the
     *                    content-type attribute when the content is not id-data (RFC 5083)
     */
    GcmStreamDecryptor(AlgorithmIdentifier algorithm, Key key, byte[] expectedAad) throws GeneralSecurityException {
        this.algorithm = algorithm;
        this.expectedAad = expectedAad.clone();
        GCMParameters params = GCMParameters.getInstance(algorithm.getParameters());
        byte[] nonce = params.getNonce();
        this.tagLength = params.getIcvLen();
        if (nonce.length != 12) {
            throw new GeneralSecurityException("GCM nonce of " + nonce.length + " bytes not supported (12 expected)");
        }
        if (tagLength < 12 || tagLength > 16) {
            throw new GeneralSecurityException("GCM tag of " + tagLength + " bytes not accepted (12 to 16)");
        }
        SecretKeySpec aes = new SecretKeySpec(key.getEncoded(), "AES");
        gcm = new GcmSegments(aes, nonce, this.expectedAad, true);
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm;
    }

    @Override
    public InputStream getInputStream(InputStream ciphertextAndTag) {
        return new Decrypting(ciphertextAndTag);
    }

    /**
     * The authenticated attributes as they follow the ciphertext: GHASH already took the ones the
     * header implies, so these must be exactly those (checked with the tag); any other is refused.
     */
    @Override
    public OutputStream getAADStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                if (aadWritten.size() <= expectedAad.length) {
                    aadWritten.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (aadWritten.size() <= expectedAad.length) {
                    aadWritten.write(b, off, Math.min(len, expectedAad.length + 1));
                }
            }
        };
    }

    @Override
    public byte[] getMAC() {
        return null;
    }

    private final class Decrypting extends DecryptingStream {
        private final InputStream in;
        private final byte[] inBuf = new byte[Sealer.CHUNK + 16];
        private int held; // bytes in inBuf, the last tagLength of which may be the tag

        Decrypting(InputStream in) {
            super(Sealer.CHUNK + 32); // inBuf less the tag, plus a held-back partial block
            this.in = in;
        }

        @Override
        protected int fill() throws IOException {
            int n = in.read(inBuf, held, inBuf.length - held);
            if (n < 0) {
                return finish();
            }
            held += n;
            int ready = held - tagLength;
            if (ready <= 0) {
                return 0;
            }
            int produced = gcm.update(inBuf, 0, ready, out, 0);
            System.arraycopy(inBuf, ready, inBuf, 0, tagLength);
            held = tagLength;
            return produced;
        }

        /** Checks the tag; the last partial block's plaintext is returned only when it matches. */
        private int finish() throws IOException {
            end();
            if (held != tagLength) {
                throw new TagMismatchException("envelope ends before the GCM tag");
            }
            if (!MessageDigest.isEqual(aadWritten.toByteArray(), expectedAad)) {
                throw new AuthAttrsRefused();
            }
            int last = gcm.finish(out, 0);
            byte[] expected = java.util.Arrays.copyOf(gcm.tag(), tagLength);
            byte[] actual = java.util.Arrays.copyOf(inBuf, tagLength);
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new TagMismatchException("GCM tag mismatch: the envelope was altered");
            }
            return last;
        }
    }

    /** The authenticated attributes were not the ones the header implies: outside the profile. */
    static final class AuthAttrsRefused extends IOException {
        private static final long serialVersionUID = 1L;

        AuthAttrsRefused() {
            super("authenticated attributes (authAttrs) other than the content type are not accepted");
        }
    }
}
