package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.Key;

import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.InputDecryptor;

/**
 * AES-CBC decryption on the JDK provider in 16 KiB steps (the JDK's CipherInputStream reads 512
 * bytes at a time). CBC has no integrity of its own: the inner signature is what detects tampering.
 */
final class CbcStreamDecryptor implements InputDecryptor {

    private final AlgorithmIdentifier algorithm;
    private final Cipher cipher;

    CbcStreamDecryptor(AlgorithmIdentifier algorithm, Key key) throws GeneralSecurityException {
        this.algorithm = algorithm;
        byte[] iv = ASN1OctetString.getInstance(algorithm.getParameters()).getOctets();
        cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.getEncoded(), "AES"), new IvParameterSpec(iv));
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm;
    }

    @Override
    public InputStream getInputStream(InputStream ciphertext) {
        return new InputStream() {
            private final byte[] inBuf = new byte[Sealer.CHUNK];
            private final byte[] outBuf = new byte[Sealer.CHUNK + 32];
            private int outPos;
            private int outLimit;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (outPos == outLimit) {
                    if (done) {
                        return -1;
                    }
                    int n = ciphertext.read(inBuf);
                    try {
                        outPos = 0;
                        if (n < 0) {
                            done = true;
                            outLimit = cipher.doFinal(outBuf, 0);
                        } else {
                            outLimit = cipher.update(inBuf, 0, n, outBuf, 0);
                        }
                    } catch (ShortBufferException e) {
                        throw new IOException(e);
                    } catch (GeneralSecurityException e) {
                        throw new IOException("CBC decryption failed (wrong key or altered envelope): " + e.getMessage(), e);
                    }
                }
                int n = Math.min(len, outLimit - outPos);
                System.arraycopy(outBuf, outPos, b, off, n);
                outPos += n;
                return n;
            }
        };
    }
}
