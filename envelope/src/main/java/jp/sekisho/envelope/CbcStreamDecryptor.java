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
        return new DecryptingStream(Sealer.CHUNK + 32) {
            private final byte[] inBuf = new byte[Sealer.CHUNK];

            @Override
            protected int fill() throws IOException {
                int n = ciphertext.read(inBuf);
                try {
                    if (n < 0) {
                        end();
                        return cipher.doFinal(out, 0);
                    }
                    return cipher.update(inBuf, 0, n, out, 0);
                } catch (ShortBufferException e) {
                    throw new IOException(e);
                } catch (GeneralSecurityException e) {
                    throw new IOException(
                            "CBC decryption failed (wrong key or altered envelope): " + e.getMessage(), e);
                }
            }
        };
    }
}
