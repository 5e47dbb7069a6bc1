package jp.sekisho.envelope;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.jcajce.JceGenericKey;

/**
 * AES-256-GCM content encryption for CMS AuthEnvelopedData, streaming and past the JDK's 2^31-1
 * bytes per GCM operation: {@link GcmSegments} runs the JDK's GCM segment by segment, and
 * BouncyCastle's generator reads the tag with {@link #getMAC()} after closing the stream.
 */
final class GcmStreamEncryptor implements OutputAEADEncryptor {

    private static final int TAG_LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;
    private final byte[] nonce = new byte[12];
    private final GcmSegments gcm;
    private byte[] mac;
    /** The authenticated attributes this envelope will carry, hashed first; empty for id-data. */
    private final byte[] aad;

    private int aadWritten;

    GcmStreamEncryptor() throws GeneralSecurityException {
        this(new byte[0]);
    }

    /** @param aad the DER of the authenticated attributes BouncyCastle will write after the content */
    GcmStreamEncryptor(byte[] aad) throws GeneralSecurityException {
        this.aad = aad.clone();
        KeyGenerator gen = KeyGenerator.getInstance("AES");
        gen.init(256, RANDOM);
        key = gen.generateKey();
        RANDOM.nextBytes(nonce);
        gcm = new GcmSegments(key, nonce, this.aad, false);
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return new AlgorithmIdentifier(CMSAlgorithm.AES256_GCM, new GCMParameters(nonce, TAG_LENGTH));
    }

    @Override
    public GenericKey getKey() {
        return new JceGenericKey(getAlgorithmIdentifier(), key);
    }

    /**
     * BouncyCastle writes the authenticated attributes here after the content; GHASH took them
     * first, so they must be exactly the ones given at construction.
     */
    @Override
    public OutputStream getAADStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                if (aadWritten >= aad.length || aad[aadWritten] != (byte) b) {
                    throw new IOException("authenticated attributes other than the content type are not supported");
                }
                aadWritten++;
            }
        };
    }

    @Override
    public byte[] getMAC() {
        if (mac == null) {
            throw new IllegalStateException("the GCM tag is known only once the content stream is closed");
        }
        return mac.clone();
    }

    @Override
    public OutputStream getOutputStream(OutputStream out) {
        return new OutputStream() {
            private final byte[] buf = new byte[Sealer.CHUNK + 16]; // a held-back partial block
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, buf.length);
                    int produced = gcm.update(b, off, n, buf, 0);
                    out.write(buf, 0, produced);
                    off += n;
                    len -= n;
                }
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                out.write(buf, 0, gcm.finish(buf, 0));
                mac = gcm.tag();
                out.flush(); // not close(): the generator closes the octet string itself, once
            }
        };
    }
}
