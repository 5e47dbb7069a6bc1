package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.keys.KeyFiles;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.JsonOut;

/**
 * A transfer receipt as the gateway signs it (docs/transfer-protocol.md, "Receipt"): the signature
 * is Ed25519 by the gateway's audit signing key over the UTF-8 JSON of the receipt without its
 * {@code signature} member, members in the documented order.
 */
public record Receipt(String json, Map<String, Object> fields) {

    /** The members in the order the signature covers them. */
    public static final List<String> ORDER = List.of(
            "transferId",
            "route",
            "approvalRef",
            "filename",
            "size",
            "sha256",
            "records",
            "sender",
            "storedAt",
            "acknowledgedAt",
            "state",
            "node");

    public static Receipt parse(String json) {
        try {
            return new Receipt(json.strip(), Json.parseObject(json));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "the gateway's receipt is not JSON: " + e.getMessage());
        }
    }

    public String get(String key) {
        Object v = fields.get(key);
        return v == null ? null : v instanceof java.math.BigDecimal d ? d.toPlainString() : String.valueOf(v);
    }

    /**
     * The bytes the signature covers. Two readings of "the same JSON object without the signature":
     * the answer as sent with the signature member cut out, and the members re-encoded in the
     * documented order; a signature over either is accepted.
     */
    List<byte[]> signedForms() {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String k : ORDER) {
            if (fields.containsKey(k)) {
                ordered.put(
                        k,
                        fields.get(k) instanceof java.math.BigDecimal d ? (Object) d.longValueExact() : fields.get(k));
            }
        }
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!e.getKey().equals("signature") && !ordered.containsKey(e.getKey())) {
                ordered.put(e.getKey(), e.getValue());
            }
        }
        String reencoded = JsonOut.write(ordered);
        String cut = json.replaceFirst(",\\s*\"signature\"\\s*:\\s*\"[^\"]*\"", "")
                .replaceFirst("\"signature\"\\s*:\\s*\"[^\"]*\"\\s*,", "");
        return List.of(cut.getBytes(StandardCharsets.UTF_8), reencoded.getBytes(StandardCharsets.UTF_8));
    }

    /** True when the signature verifies with the gateway's public key. */
    public boolean verify(PublicKey key) {
        String sig = get("signature");
        if (sig == null) {
            return false;
        }
        byte[] s;
        try {
            s = Base64.getDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (byte[] form : signedForms()) {
            try {
                Signature v = Signature.getInstance("Ed25519");
                v.initVerify(key);
                v.update(form);
                if (v.verify(s)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // try the other form
            }
        }
        return false;
    }

    /**
     * Refuses (exit 1, RECEIPT_SIGNATURE_INVALID) a receipt whose signature verifies with none of the keys at
     * {@code keys}: one PEM key file, a PEM file with several keys, a folder of {@code *.pem}, or the JSON of
     * {@code GET /api/v1/audit/signing-keys}, so a receipt signed by any node of a cluster verifies.
     */
    public void verifyWith(Path keys) {
        List<PublicKey> set;
        try {
            set = KeyFiles.read(keys).keys();
        } catch (IOException | RuntimeException e) {
            throw CliException.usage("--gateway-key: " + e.getMessage());
        }
        for (PublicKey key : set) {
            if (verify(key)) {
                return;
            }
        }
        throw new CliException(
                ExitCode.REFUSED,
                "RECEIPT_SIGNATURE_INVALID: 受領証の署名を検証できません / the receipt of transfer " + get("transferId")
                        + " does not verify with " + (set.size() == 1 ? "" : "any of the " + set.size() + " keys in ")
                        + keys);
    }

    public void print(PrintWriter out, Boolean verified) {
        out.printf("transfer:  %s%n", Printable.value(get("transferId")));
        out.printf("route:     %s%n", Printable.value(get("route")));
        out.printf("approval:  %s%n", Printable.value(get("approvalRef")));
        out.printf("file:      %s%n", Printable.value(get("filename")));
        out.printf("size:      %s bytes%n", Printable.value(get("size")));
        out.printf("sha256:    %s%n", get("sha256"));
        out.printf("records:   %s%n", Printable.value(get("records")));
        out.printf("sender:    %s%n", Printable.value(get("sender")));
        out.printf("stored at: %s%n", Printable.value(get("storedAt")));
        out.printf("state:     %s%n", Printable.value(get("state")));
        out.printf("node:      %s%n", Printable.value(get("node")));
        out.printf(
                "signature: %s%n",
                verified == null
                        ? "present (not checked; give --gateway-key to check it)"
                        : verified ? "valid (gateway audit signing key)" : "INVALID");
    }
}
