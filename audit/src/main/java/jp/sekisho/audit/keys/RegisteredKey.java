package jp.sekisho.audit.keys;

import java.io.IOException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import jp.sekisho.audit.chain.AuditSigningKey;

/**
 * One row of the key registry ({@code audit_signing_key}): a public key that signs one node's checkpoints.
 *
 * @param registeredBy who registered it: the node and the operating-system user ({@code gw1/sekisho})
 * @param retiredAt    null while the key is the node's active one
 */
public record RegisteredKey(
        String nodeId,
        String keyId,
        String algorithm,
        String publicKeyPem,
        String fingerprint,
        Instant registeredAt,
        String registeredBy,
        KeyOrigin origin,
        Instant retiredAt) {

    /** A new row for {@code key} of {@code nodeId}, registered now by {@code who}. */
    public static RegisteredKey of(String nodeId, PublicKey key, KeyOrigin origin, String who, Instant now) {
        return new RegisteredKey(
                nodeId,
                AuditSigningKey.keyId(key),
                AuditSigningKey.ALGORITHM,
                AuditSigningKey.publicKeyPem(key),
                AuditSigningKey.fingerprint(key),
                now,
                who,
                origin,
                null);
    }

    public boolean active() {
        return retiredAt == null;
    }

    /** The public key, checked against the key id and fingerprint it is registered under. */
    public PublicKey publicKey() throws IOException {
        PublicKey k = KeyFiles.parsePem(publicKeyPem, "the key registered as " + keyId + " for node " + nodeId)
                .get(0);
        if (!AuditSigningKey.fingerprint(k).equals(fingerprint)
                || !AuditSigningKey.keyId(k).equals(keyId)) {
            throw new IOException("the key registered as " + keyId + " for node " + nodeId
                    + " does not match its key id or fingerprint");
        }
        return k;
    }

    /** As {@code GET /api/v1/audit/signing-keys} and the export's {@code signing-key} records show it. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", nodeId);
        m.put("keyId", keyId);
        m.put("fingerprint", fingerprint);
        m.put("algorithm", algorithm);
        m.put("publicKey", publicKeyPem);
        m.put("registeredAt", registeredAt.toString());
        m.put("registeredBy", registeredBy);
        m.put("origin", origin.stored());
        m.put("retiredAt", retiredAt == null ? null : retiredAt.toString());
        return m;
    }

    /** Reads {@link #toJson()}'s form back. */
    public static RegisteredKey fromJson(Map<String, Object> m) {
        Object retired = m.get("retiredAt");
        Object origin = m.get("origin");
        return new RegisteredKey(
                req(m, "node"),
                req(m, "keyId"),
                req(m, "algorithm"),
                req(m, "publicKey"),
                req(m, "fingerprint"),
                Instant.parse(req(m, "registeredAt")),
                req(m, "registeredBy"),
                origin == null ? KeyOrigin.ADOPTED : KeyOrigin.of(origin.toString()),
                retired == null ? null : Instant.parse(retired.toString()));
    }

    private static String req(Map<String, Object> m, String name) {
        Object v = m.get(name);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("signing key record without " + name);
        }
        return s;
    }
}
