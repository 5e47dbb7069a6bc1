package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.List;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import jp.sekisho.certs.BcProvider;
import jp.sekisho.certs.Identity;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSAuthEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSCompressedDataStreamGenerator;
import org.bouncycastle.cms.CMSEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSEnvelopedGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.RecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JceAsymmetricKeyWrapper;

/**
 * Sign-then-encrypt in one streaming pass, in constant memory:
 * plaintext → CMS SignedData (SHA-256, content encapsulated, signer chain included) → the
 * SignedData ContentInfo as the id-data content of an AuthEnvelopedData (AES-256-GCM) or
 * EnvelopedData (AES-256-CBC). This is exactly what {@code openssl cms -sign -nodetach} piped into
 * {@code openssl cms -encrypt} produces, so {@code openssl cms -decrypt} then {@code -verify} read it.
 *
 * <p>All symmetric work runs on the JDK provider (AES-NI, intrinsic SHA-256); BouncyCastle only
 * writes the ASN.1. Key transport: RSA-OAEP(SHA-256, MGF1-SHA-256); key agreement: ephemeral-static
 * ECDH with the SHA-256 X9.63 KDF and AES-256 key wrap.
 */
public final class Sealer {

    /** 16 KiB: large enough for few BER chunk headers, small enough for the JIT's AES intrinsic to kick in early. */
    static final int CHUNK = 16 * 1024;
    /** BouncyCastle's provider, only for key agreement, never for bulk content (made on first use). */
    static Provider bc() {
        return BcProvider.get();
    }

    private Sealer() {}

    /**
     * Reads {@code plaintext} to its end and writes the envelope (BER, indefinite lengths) to
     * {@code out}, which is flushed but not closed. Neither stream is held beyond the call.
     *
     * @throws java.io.UncheckedIOException when reading or writing fails
     * @throws IllegalArgumentException for an unsupported recipient or signer key type
     */
    public static SealResult seal(
            InputStream plaintext,
            OutputStream out,
            Identity signer,
            List<java.security.cert.X509Certificate> recipients,
            ContentCipher cipher) {
        return seal(plaintext, out, signer, recipients, cipher, Compression.NONE);
    }

    /**
     * The same, with the SignedData compressed (RFC 3274, zlib at {@code compressionLevel} 1-9)
     * before it is encrypted, or not at all for {@link Compression#NONE}: the envelope's
     * EncryptedContentInfo then says id-ct-compressedData, which stock {@code openssl cms} (built
     * without zlib on Debian) cannot open.
     */
    public static SealResult seal(
            InputStream plaintext,
            OutputStream out,
            Identity signer,
            List<java.security.cert.X509Certificate> recipients,
            ContentCipher cipher,
            int compressionLevel) {
        return seal(plaintext, out, signer, recipients, cipher, compressionLevel, null);
    }

    /**
     * The same, with compression at {@link Compression#DEFAULT_LEVEL} rising while {@code backlog}
     * says the envelope's reader is behind (an upload that follows the envelope file as it is written).
     */
    public static SealResult seal(
            InputStream plaintext,
            OutputStream out,
            Identity signer,
            List<java.security.cert.X509Certificate> recipients,
            ContentCipher cipher,
            int compressionLevel,
            Backlog backlog) {
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("at least one recipient certificate is required");
        }
        HashingOutputStream hashed = new HashingOutputStream(out);
        long plainBytes = 0;
        // The envelope's SHA-256 and the write run on a second thread: sealing 1 GiB then takes the
        // time of the slower half, not of both.
        PipelinedOutputStream buffered = new PipelinedOutputStream(hashed, "sekisho-seal-writer");
        boolean sealed = false;
        try {
            boolean compress = compressionLevel != Compression.NONE;
            OutputStream encrypted = openEncryption(buffered, recipients, cipher, compress);
            // the compressor writes its own ContentInfo(CompressedData) into the encryption stream
            OutputStream inner = compress ? compressed(encrypted, compressionLevel, backlog) : encrypted;
            CMSSignedDataStreamGenerator signed = new CMSSignedDataStreamGenerator();
            signed.setBufferSize(CHUNK);
            signed.addSignerInfoGenerator(SignerInfos.of(signer));
            signed.addCertificates(new JcaCertStore(signer.chain()));
            try (OutputStream content = signed.open(inner, true)) {
                byte[] buf = new byte[CHUNK];
                int n;
                while ((n = plaintext.read(buf)) >= 0) {
                    content.write(buf, 0, n);
                    plainBytes += n;
                }
            }
            if (inner != encrypted) {
                inner.close(); // the last deflated bytes and CompressedData's closing tags
            }
            encrypted.close(); // writes the GCM tag / final CBC block and the closing tags
            buffered.close(); // waits for the writer thread; does not close out
            sealed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CMSException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal: " + e.getMessage(), e);
        } finally {
            if (!sealed) {
                buffered.abort();
            }
        }
        return new SealResult(plainBytes, hashed.count(), hashed.hex());
    }

    private static OutputStream compressed(OutputStream encrypted, int level, Backlog backlog) throws IOException {
        CMSCompressedDataStreamGenerator gen = new CMSCompressedDataStreamGenerator();
        gen.setBufferSize(CHUNK);
        return gen.open(CMSObjectIdentifiers.signedData, encrypted, Compression.zlib(level, backlog));
    }

    private static OutputStream openEncryption(
            OutputStream out,
            List<java.security.cert.X509Certificate> recipients,
            ContentCipher cipher,
            boolean compressed)
            throws IOException, CMSException, GeneralSecurityException {
        // id-data as openssl's pipe writes it; id-ct-compressedData tells the gateway, in the clear, what is inside
        ASN1ObjectIdentifier type = compressed ? CMSObjectIdentifiers.compressedData : CMSObjectIdentifiers.data;
        if (cipher == ContentCipher.AES_256_GCM) {
            // Our CTR + GHASH encryptor: SunJCE's GCM stops at 2^31-1 bytes.
            CMSAuthEnvelopedDataStreamGenerator gen = new CMSAuthEnvelopedDataStreamGenerator();
            gen.setBufferSize(CHUNK);
            addRecipients(gen, recipients);
            if (!compressed) {
                return gen.open(type, out, new GcmStreamEncryptor());
            }
            // RFC 5083: non-data content carries its content type as an authenticated attribute
            gen.setAuthenticatedAttributeGenerator(parameters -> new AttributeTable(
                    new Attribute(CMSAttributes.contentType, new DERSet(CMSObjectIdentifiers.compressedData))));
            return gen.open(
                    type, out, new GcmStreamEncryptor(Compression.contentTypeAttributes(Compression.COMPRESSED_DATA)));
        }
        // No provider set: the default JCA (SunJCE) does the CBC content encryption with AES-NI.
        OutputEncryptor encryptor = new JceCMSContentEncryptorBuilder(cipher.oid()).build();
        CMSEnvelopedDataStreamGenerator gen = new CMSEnvelopedDataStreamGenerator();
        gen.setBufferSize(CHUNK);
        addRecipients(gen, recipients);
        return gen.open(type, out, encryptor);
    }

    private static void addRecipients(CMSEnvelopedGenerator gen, List<java.security.cert.X509Certificate> recipients)
            throws GeneralSecurityException {
        for (java.security.cert.X509Certificate cert : recipients) {
            gen.addRecipientInfoGenerator(recipientInfo(cert));
        }
    }

    static RecipientInfoGenerator recipientInfo(java.security.cert.X509Certificate cert)
            throws GeneralSecurityException {
        PublicKey key = cert.getPublicKey();
        if (key instanceof RSAPublicKey) {
            OAEPParameterSpec oaep =
                    new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
            return new JceKeyTransRecipientInfoGenerator(cert, new JceAsymmetricKeyWrapper(oaep, key));
        }
        if (key instanceof ECPublicKey ec) {
            // A fresh ephemeral key per recipient, on the recipient's curve.
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(ec.getParams());
            KeyPair ephemeral = kpg.generateKeyPair();
            // The JDK has no ECDH with the X9.63 KDF, so BouncyCastle does the agreement (one operation).
            return new JceKeyAgreeRecipientInfoGenerator(
                            CMSAlgorithm.ECDH_SHA256KDF,
                            ephemeral.getPrivate(),
                            ephemeral.getPublic(),
                            CMSAlgorithm.AES256_WRAP)
                    .setProvider(bc())
                    .addRecipient(cert);
        }
        throw new IllegalArgumentException(
                "recipient " + cert.getSubjectX500Principal().getName() + ": unsupported key type " + key.getAlgorithm()
                        + " (RSA or EC expected)");
    }
}
