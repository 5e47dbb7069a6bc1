package jp.sekisho.envelope;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.Recipient;
import org.bouncycastle.cms.RecipientOperator;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipient;

/**
 * BouncyCastle recipients that unwrap the content key the standard way (RSA-OAEP, ECDH+KDF+AES-wrap)
 * but decrypt the content with our streaming JDK-backed decryptors instead of BouncyCastle's.
 */
final class StreamingRecipients {

    private StreamingRecipients() {}

    static Recipient keyTransport(PrivateKey key) {
        return keyTransport(key, new byte[0]);
    }

    static Recipient keyAgreement(PrivateKey key) {
        return keyAgreement(key, new byte[0]);
    }

    /** @param aad the authenticated attributes a GCM envelope must carry (see {@link GcmStreamDecryptor}) */
    static Recipient keyTransport(PrivateKey key, byte[] aad) {
        return new JceKeyTransRecipient(key) {
            @Override
            public RecipientOperator getRecipientOperator(
                    AlgorithmIdentifier keyEncryptionAlgorithm,
                    AlgorithmIdentifier contentEncryptionAlgorithm,
                    byte[] encryptedContentKey)
                    throws CMSException {
                Key cek = extractSecretKey(keyEncryptionAlgorithm, contentEncryptionAlgorithm, encryptedContentKey);
                return operator(contentEncryptionAlgorithm, cek, aad);
            }
        };
    }

    static Recipient keyAgreement(PrivateKey key, byte[] aad) {
        JceKeyAgreeRecipient recipient = new JceKeyAgreeRecipient(key) {
            @Override
            public RecipientOperator getRecipientOperator(
                    AlgorithmIdentifier keyEncryptionAlgorithm,
                    AlgorithmIdentifier contentEncryptionAlgorithm,
                    SubjectPublicKeyInfo senderPublicKey,
                    ASN1OctetString userKeyingMaterial,
                    byte[] encryptedContentKey)
                    throws CMSException {
                Key cek = extractSecretKey(
                        keyEncryptionAlgorithm,
                        contentEncryptionAlgorithm,
                        senderPublicKey,
                        userKeyingMaterial,
                        encryptedContentKey);
                return operator(contentEncryptionAlgorithm, cek, aad);
            }
        };
        // ECDH with the X9.63 KDF exists only in BouncyCastle; the content stays on the JDK.
        recipient.setProvider(Sealer.bc());
        return recipient;
    }

    private static RecipientOperator operator(AlgorithmIdentifier contentAlgorithm, Key cek, byte[] aad)
            throws CMSException {
        ContentCipher cipher = ContentCipher.of(contentAlgorithm.getAlgorithm());
        if (cipher == null) {
            throw new CMSException("content cipher " + contentAlgorithm.getAlgorithm() + " not accepted");
        }
        if (cek.getEncoded() == null || cek.getEncoded().length != 32) {
            throw new CMSException("content key is not 256 bits");
        }
        try {
            return new RecipientOperator(
                    cipher == ContentCipher.AES_256_GCM
                            ? new GcmStreamDecryptor(contentAlgorithm, cek, aad)
                            : new CbcStreamDecryptor(contentAlgorithm, cek));
        } catch (GeneralSecurityException e) {
            throw new CMSException("cannot set up content decryption: " + e.getMessage(), e);
        }
    }
}
