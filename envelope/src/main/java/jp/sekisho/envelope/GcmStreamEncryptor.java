package jp.sekisho.envelope;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.jcajce.JceGenericKey;

/**
 * AES-256-GCM content encryption for CMS AuthEnvelopedData, streaming and without a size limit:
 * the JDK's AES/CTR (AES-NI) for the data and {@link Ghash} for the tag, which BouncyCastle's
 * generator reads with {@link #getMAC()} after closing the stream. The JDK's own GCM refuses more
 * than 2^31-1 bytes, so it cannot seal a 2 GiB payload.
 */
final class GcmStreamEncryptor implements OutputAEADEncryptor {

    private static final int TAG_LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;
    private final byte[] nonce = new byte[12];
    private final Cipher ctr;
    private final Ghash ghash;
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
        ctr = Cipher.getInstance("AES/CTR/NoPadding");
        ctr.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(Ghash.firstCounter(nonce)));
        ghash = new Ghash(key, nonce);
        ghash.aad(this.aad);
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
            private final byte[] buf = new byte[Sealer.CHUNK];
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, buf.length);
                    try {
                        int produced = ctr.update(b, off, n, buf, 0);
                        ghash.update(buf, 0, produced);
                        out.write(buf, 0, produced);
                    } catch (ShortBufferException e) {
                        throw new IOException(e);
                    }
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
                mac = ghash.tag();
                out.flush(); // not close(): the generator closes the octet string itself, once
            }
        };
    }
}
