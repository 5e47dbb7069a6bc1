package jp.sekisho.audit.keys;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.json.Json;

/**
 * The chain's own record of its keys: AUDIT_KEY_REGISTERED and AUDIT_KEY_ROTATED events, and the statement an old
 * key signs to hand over to its successor. Verification binds keys to nodes from these events, so what the
 * registry table says is checked against the chain and not taken on its word.
 */
public final class KeyEvents {

    /** The old key id of a rotation whose old key file was lost. */
    public static final String LOST = "lost";

    private KeyEvents() {}

    /** Who acts: the operating-system user running this process. */
    public static String osUser() {
        return System.getProperty("user.name", "unknown");
    }

    public static AuditEvent registered(String nodeId, PublicKey key, KeyOrigin origin) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("key_id", AuditSigningKey.keyId(key));
        d.put("fingerprint", AuditSigningKey.fingerprint(key));
        d.put("algorithm", AuditSigningKey.ALGORITHM);
        d.put("origin", origin.stored());
        d.put("node", nodeId);
        d.put("os_user", osUser());
        return AuditEvent.of(EventType.AUDIT_KEY_REGISTERED, Outcome.ALLOW)
                .principal(new AuditPrincipal("node:" + nodeId + "/" + osUser(), null, null))
                .detailJson(Json.write(d))
                .build();
    }

    /**
     * @param oldKey the old key when its file is still there (it then signs the hand-over), else null
     * @param oldKeyId the old key's id, or {@link #LOST} when not even that is known
     */
    public static AuditEvent rotated(
            String nodeId, String oldKeyId, AuditSigningKey oldKey, PublicKey newKey, String reason, String operator) {
        String spki = Base64.getEncoder().encodeToString(newKey.getEncoded());
        String newKeyId = AuditSigningKey.keyId(newKey);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("old_key_id", oldKeyId);
        d.put("new_key_id", newKeyId);
        d.put("fingerprint", AuditSigningKey.fingerprint(newKey));
        d.put("algorithm", AuditSigningKey.ALGORITHM);
        d.put("public_key", spki);
        d.put("reason", reason);
        d.put("operator", operator);
        d.put(
                "old_key_signature",
                oldKey == null ? null : oldKey.signStatement(statement(nodeId, oldKeyId, newKeyId, spki)));
        return AuditEvent.of(EventType.AUDIT_KEY_ROTATED, Outcome.ALLOW)
                .principal(new AuditPrincipal("local-cli:" + operator, null, null))
                .reason("KEY_ROTATED")
                .detailJson(Json.write(d))
                .build();
    }

    /** What the old key signs when it hands over: fixed, so it can never be mistaken for a checkpoint or receipt. */
    public static byte[] statement(String nodeId, String oldKeyId, String newKeyId, String newKeySpkiBase64) {
        return ("sekisho-audit-key-rotation-v1|" + nodeId + "|" + oldKeyId + "|" + newKeyId + "|" + newKeySpkiBase64)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The key facts of a key event's detail; null for any other event. */
    public static KeyEvent read(AuditEvent e) {
        if (e.type() != EventType.AUDIT_KEY_REGISTERED && e.type() != EventType.AUDIT_KEY_ROTATED) {
            return null;
        }
        Map<String, Object> d = Json.parseObject(e.detailJson() == null ? "{}" : e.detailJson());
        if (e.type() == EventType.AUDIT_KEY_REGISTERED) {
            return new KeyEvent(false, null, str(d, "key_id"), null, null, str(d, "origin"));
        }
        return new KeyEvent(
                true,
                str(d, "old_key_id"),
                str(d, "new_key_id"),
                str(d, "public_key"),
                str(d, "old_key_signature"),
                KeyOrigin.ROTATION.stored());
    }

    private static String str(Map<String, Object> d, String name) {
        Object v = d.get(name);
        return v == null ? null : v.toString();
    }

    /**
     * One key event as the verifier reads it.
     *
     * @param keyId the key that signs from this event on (the new key of a rotation)
     */
    public record KeyEvent(
            boolean rotation,
            String oldKeyId,
            String keyId,
            String publicKeySpki,
            String oldSignature,
            String origin) {}
}
