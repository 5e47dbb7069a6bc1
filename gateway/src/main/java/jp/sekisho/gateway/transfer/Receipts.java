package jp.sekisho.gateway.transfer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import jp.sekisho.audit.json.Json;

/**
 * The receipt of a transfer (docs/transfer-protocol.md): members in a fixed order, signed over the
 * UTF-8 bytes of the object without its {@code signature} member. The final receipt, answered to
 * the acknowledgment, adds {@code acknowledgedAt} after {@code storedAt}.
 */
public final class Receipts {

    private Receipts() {}

    public static String receipt(
            Transfer t, String state, Instant storedAt, Instant acknowledgedAt, String node, ReceiptSigner signer) {
        StringBuilder sb = new StringBuilder("{");
        str(sb, "transferId", t.id()).append(',');
        str(sb, "route", t.routeId()).append(',');
        str(sb, "approvalRef", t.approvalRef()).append(',');
        str(sb, "filename", t.filename()).append(',');
        sb.append("\"size\":").append(t.length()).append(',');
        str(sb, "sha256", t.sha256()).append(',');
        sb.append("\"records\":").append(t.records()).append(',');
        str(sb, "sender", t.senderSubject()).append(',');
        str(sb, "storedAt", storedAt.toString()).append(',');
        if (acknowledgedAt != null) {
            str(sb, "acknowledgedAt", acknowledgedAt.toString()).append(',');
        }
        str(sb, "state", state).append(',');
        str(sb, "node", node);
        String unsigned = sb + "}";
        String sig = signer.sign(unsigned.getBytes(StandardCharsets.UTF_8));
        sb.append(',');
        str(sb, "signature", sig);
        return sb.append('}').toString();
    }

    private static StringBuilder str(StringBuilder sb, String key, String value) {
        Json.quote(sb, key).append(':');
        return Json.quote(sb, value);
    }
}
