package jp.sekisho.client.agent;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.audit.json.Json;
import jp.sekisho.client.http.JsonOut;

/**
 * The journal entry of one claimed file ({@code .sekisho-agent/journal/CLAIMED.json}), written and
 * made durable before the file leaves the outbox: its name in the outbox ({@code original}, the name
 * the receiver sees), its name in the agent's folders ({@code claimed}, unique there), and, for
 * {@code records-from: done-marker}, the count read from the marker or why it could not be read.
 */
record Claim(String original, String claimed, String claimedAt, Long records, String markerProblem) {

    String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 1);
        m.put("original", original);
        m.put("claimed", claimed);
        m.put("claimedAt", claimedAt);
        m.put("records", records);
        m.put("markerProblem", markerProblem);
        return JsonOut.write(m);
    }

    /** The entry in {@code text}, or empty when it is torn or not one this version wrote. */
    static Optional<Claim> parse(String text) {
        try {
            Map<String, Object> m = Json.parseObject(text);
            if (!(m.get("version") instanceof BigDecimal v) || v.intValueExact() != 1) {
                return Optional.empty();
            }
            return Optional.of(new Claim(
                    (String) m.get("original"),
                    (String) m.get("claimed"),
                    (String) m.get("claimedAt"),
                    m.get("records") instanceof BigDecimal r ? r.longValueExact() : null,
                    (String) m.get("markerProblem")));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
