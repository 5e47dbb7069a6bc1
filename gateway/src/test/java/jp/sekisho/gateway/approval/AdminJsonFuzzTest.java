package jp.sekisho.gateway.approval;

import java.io.IOException;
import java.util.Map;
import java.util.Random;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.testing.Fuzz;
import jp.sekisho.gateway.route.RouteJson;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the administration JSON: the audit module's strict parser, and the approval and route
 * bodies as the API's serde reads them and turns them into domain values. Arbitrary and mutated
 * JSON gives a value or the defined refusal (IllegalArgumentException from the strict parser, an
 * IOException from serde, IllegalArgumentException/NullPointerException from a domain constructor,
 * which the controllers answer as INVALID_APPROVAL / INVALID_ROUTE), never another exception.
 */
class AdminJsonFuzzTest {

    private static final io.micronaut.serde.ObjectMapper SERDE = io.micronaut.serde.ObjectMapper.getDefault();

    static final String APPROVAL = "{\"ref\":\"A-1\",\"title\":\"t\",\"legalBasis\":\"b\",\"departments\":[\"d\"],"
            + "\"contractor\":\"c\",\"subcontractors\":[],\"dataItems\":[\"name\"],\"maxRecords\":10,"
            + "\"validFrom\":\"2026-01-01\",\"validUntil\":\"2027-01-01\","
            + "\"conditions\":{\"text\":\"x\",\"deleteAfterDelivery\":true},\"meetingRef\":\"m\"}";
    static final String ROUTE = "{\"id\":\"r\",\"listener\":\"transfer\",\"approvalRef\":\"A-1\","
            + "\"senders\":[{\"subject\":\"CN=s\",\"allow\":[\"127.0.0.1/32\"]}],"
            + "\"receivers\":[{\"sha256\":\"ab\",\"allow\":[]}],\"recipients\":[\"x\"],"
            + "\"maxPayloadBytes\":1,\"retentionSeconds\":1,\"allowCbc\":false}";

    private static final int TRIES = 300;

    /** Any text, JSON-ish tokens, or one of the valid bodies with up to six edits. */
    static String json(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> Fuzz.string(r, 200);
            case 1 -> Fuzz.string(r, 120, "{}[]\":,0123456789.-+eEtrufalsn \\u");
            default -> mutated(r, Fuzz.pick(r, APPROVAL, ROUTE, "{\"decision\":\"approve\",\"reason\":\"r\"}"));
        };
    }

    /** Up to six edits: a character replaced, inserted or dropped. */
    static String mutated(Random r, String s) {
        String chars = "{}[]\":,\\0-9a\u0000\u202e";
        StringBuilder sb = new StringBuilder(s);
        int edits = Fuzz.between(r, 1, 6);
        for (int i = 0; i < edits && sb.length() > 0; i++) {
            int p = r.nextInt(sb.length());
            char c = chars.charAt(r.nextInt(chars.length()));
            switch (i % 3) {
                case 0 -> sb.setCharAt(p, c);
                case 1 -> sb.insert(p, c);
                default -> sb.deleteCharAt(p);
            }
        }
        return sb.toString();
    }

    @Test
    void strictParser() {
        Fuzz.run("admin JSON: strict parser", TRIES, AdminJsonFuzzTest::json, AdminJsonFuzzTest::strictParser);
    }

    @Test
    void approvalBody() {
        Fuzz.run("admin JSON: approval body", TRIES, AdminJsonFuzzTest::json, AdminJsonFuzzTest::approvalBody);
    }

    @Test
    void routeBody() {
        Fuzz.run("admin JSON: route body", TRIES, AdminJsonFuzzTest::json, AdminJsonFuzzTest::routeBody);
    }

    private static void strictParser(String text) {
        try {
            Object v = Json.parse(text);
            if (v instanceof Map) {
                Json.parseObject(text);
            }
        } catch (IllegalArgumentException refused) {
            // the defined refusal
        }
    }

    private static void approvalBody(String text) {
        ApprovalJson.Draft d;
        try {
            d = SERDE.readValue(text, ApprovalJson.Draft.class);
        } catch (IOException refused) {
            return;
        }
        if (d == null) {
            return;
        }
        try {
            d.toApproval(null);
        } catch (IllegalArgumentException | NullPointerException refused) {
            // INVALID_APPROVAL
        }
    }

    private static void routeBody(String text) {
        RouteJson.View v;
        try {
            v = SERDE.readValue(text, RouteJson.View.class);
        } catch (IOException refused) {
            return;
        }
        if (v == null) {
            return;
        }
        try {
            v.toRoute();
        } catch (IllegalArgumentException | NullPointerException refused) {
            // INVALID_ROUTE
        }
    }
}
