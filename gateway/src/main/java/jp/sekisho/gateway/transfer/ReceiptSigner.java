package jp.sekisho.gateway.transfer;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import jp.sekisho.audit.chain.AuditSigningKey;

/**
 * Signs receipts with the gateway's audit signing key (Ed25519), so one public key
 * ({@code audit-signing.pub.pem}) verifies both the audit export and every receipt.
 */
public final class ReceiptSigner {

    private final AuditSigningKey key;

    public ReceiptSigner(AuditSigningKey key) {
        this.key = key;
    }

    public PublicKey publicKey() {
        return key.publicKey();
    }

    /** Base64 Ed25519 signature over {@code data}. */
    public String sign(byte[] data) {
        return key.signStatement(data);
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
