package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Signs receipts with the gateway's audit signing key (Ed25519), so one public key
 * ({@code audit-signing.pub.pem}) verifies both the audit export and every receipt.
 *
 * <p>The audit module's {@code AuditSigningKey} signs only checkpoints and does not hand out its
 * private key, so this reads the same PEM file and refuses to start unless its public half is the
 * audit store's: a receipt can never be signed by a key auditors do not know.
 */
public final class ReceiptSigner {

    private final PrivateKey key;
    private final PublicKey publicKey;

    ReceiptSigner(PrivateKey key, PublicKey publicKey) {
        this.key = key;
        this.publicKey = publicKey;
    }

    public static ReceiptSigner load(Path privateKeyPem, PublicKey expected) {
        try {
            String text = Files.readString(privateKeyPem, StandardCharsets.US_ASCII);
            String b64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            PrivateKey k = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
            ReceiptSigner s = new ReceiptSigner(k, expected);
            byte[] probe = "sekisho receipt key check".getBytes(StandardCharsets.US_ASCII);
            if (!verify(expected, probe, s.sign(probe))) {
                throw new IllegalStateException(privateKeyPem + " is not the audit store's signing key");
            }
            return s;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the receipt signing key " + privateKeyPem + ": " + e.getMessage(), e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Base64 Ed25519 signature over {@code data}. */
    public String sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(data);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a receipt", e);
        }
    }

    public static boolean verify(PublicKey key, byte[] data, String signatureB64) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(data);
            return s.verify(Base64.getDecoder().decode(signatureB64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Verifies a receipt JSON as the protocol defines it: the signature covers the object without its last member. */
    public static boolean verifyReceipt(PublicKey key, String receiptJson) {
        String marker = ",\"signature\":\"";
        int at = receiptJson.lastIndexOf(marker);
        if (at < 0 || !receiptJson.endsWith("\"}")) {
            return false;
        }
        String signed = receiptJson.substring(0, at) + "}";
        String sig = receiptJson.substring(at + marker.length(), receiptJson.length() - 2);
        return verify(key, signed.getBytes(StandardCharsets.UTF_8), sig);
    }

}
